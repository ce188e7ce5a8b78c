"""Nexmo (Vonage SMS API) gateway type."""

from __future__ import annotations

from .base import GatewayInfo, GatewayType, field_specs


class NexmoGateway(GatewayType):
    info = GatewayInfo(
        name="Nexmo",
        description="Vonage (Nexmo) SMS API",
        default_url="https://rest.nexmo.com/sms/json",
        fields=field_specs(
            required=("gateway_url", "user_name", "password", "sender_id"),
            user_name="API Key", password="API Secret",
        ),
    )
