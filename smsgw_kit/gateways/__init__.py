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
from .registry import (
    ENTRY_POINT_GROUP,
    gateway_types,
    get_gateway_type,
    plugin_problems,
    register_gateway,
    rediscover,
    unregister_gateway,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "ENTRY_POINT_GROUP",
    "FieldSpec",
    "GatewayInfo",
    "GatewaySettings",
    "GatewayType",
    "OptionSpec",
    "ProxySettings",
    "field_specs",
    "gateway_types",
    "get_gateway_type",
    "plugin_problems",
    "rediscover",
    "register_gateway",
    "unregister_gateway",
]
