"""Bulletin.net (Bulletin Connect) gateway type."""

from __future__ import annotations

from .base import GatewayInfo, GatewayType, field_specs


class BulletinGateway(GatewayType):
    info = GatewayInfo(
        name="Bulletin.net",
        description="Bulletin Connect SMS API",
        default_url="https://service.bulletinconnect.net/api/1/sms/out",
        fields=field_specs(required=("gateway_url", "user_name", "password"), user_name="User ID"),
    )
