"""RedOxygen gateway type."""

from __future__ import annotations

from .base import GatewayInfo, GatewayType, field_specs


class RedOxygenGateway(GatewayType):
    info = GatewayInfo(
        name="RedOxygen",
        description="RedOxygen SMS gateway",
        default_url="http://www.redoxygen.net/sms.dll?Action=SendSMS",
        fields=field_specs(
            required=("gateway_url", "account_id", "user_name", "password"), user_name="Email",
        ),
    )
