"""The gateway API: what a gateway type declares, how types are found, and the built-in providers."""

from .base import (
    ACCOUNT_FIELDS,
    FieldSpec,
    GatewayInfo,
    GatewaySettings,
    GatewayType,
    OptionSpec,
    ProxySettings,
    field_specs,
)
from .bulletin import BulletinGateway
from .clickatell import ClickatellGateway
from .gateway import Gateway
from .generic import GenericHttpGateway
from .message import CheckResult, SendResult, ShortMessage
from .nexmo import NexmoGateway
from .redoxygen import RedOxygenGateway
from .registry import (
    ENTRY_POINT_GROUP,
    gateway_types,
    get_gateway_type,
    plugin_problems,
    rediscover,
    register_gateway,
    unregister_gateway,
)
from .twilio import TwilioGateway

__all__ = [
    "ACCOUNT_FIELDS",
    "ENTRY_POINT_GROUP",
    "BulletinGateway",
    "CheckResult",
    "ClickatellGateway",
    "FieldSpec",
    "Gateway",
    "GatewayInfo",
    "GatewaySettings",
    "GatewayType",
    "GenericHttpGateway",
    "NexmoGateway",
    "OptionSpec",
    "ProxySettings",
    "RedOxygenGateway",
    "SendResult",
    "ShortMessage",
    "TwilioGateway",
    "field_specs",
    "gateway_types",
    "get_gateway_type",
    "plugin_problems",
    "rediscover",
    "register_gateway",
    "unregister_gateway",
]
