"""The gateway contract: how a gateway type describes itself and the settings it is handed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

# The account fields a gateway type can ask for, in the order the forms show them.
ACCOUNT_FIELDS: tuple[str, ...] = (
    "gateway_url",
    "account_id",
    "user_name",
    "password",
    "sender_id",
    "proxy_user_name",
    "proxy_password",
    "proxy_description",
    "proxy_domain",
    "proxy_host_name",
    "proxy_port",
)

DEFAULT_LABELS: Mapping[str, str] = MappingProxyType({
    "gateway_url": "Gateway URL",
    "account_id": "Account ID",
    "user_name": "User Name",
    "password": "Password",
    "sender_id": "Sender ID (From)",
    "proxy_user_name": "Proxy User Name",
    "proxy_password": "Proxy Password",
    "proxy_description": "Description",
    "proxy_domain": "Proxy Domain",
    "proxy_host_name": "Proxy Host Name",
    "proxy_port": "Proxy Port",
})

SECRET_FIELDS = frozenset({"password", "proxy_password"})


@dataclass(frozen=True, kw_only=True)
class FieldSpec:
    """How one account field appears and behaves for one gateway type."""

    label: str
    required: bool = False
    secret: bool = False
    help: str = ""


def field_specs(required: tuple[str, ...] = (), **overrides: FieldSpec | str) -> Mapping[str, FieldSpec]:
    """Every account field with its default label; `required` names mandatory ones, overrides relabel."""
    specs = {}
    for name in ACCOUNT_FIELDS:
        override = overrides.get(name)
        if isinstance(override, FieldSpec):
            specs[name] = override
            continue
        specs[name] = FieldSpec(
            label=override or DEFAULT_LABELS[name],
            required=name in required,
            secret=name in SECRET_FIELDS,
        )
    unknown = set(overrides) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ValueError(f"unknown account fields: {sorted(unknown)}")
    return MappingProxyType(specs)


@dataclass(frozen=True, kw_only=True)
class OptionSpec:
    """A gateway-specific setting kept in the account's options (e.g. the Generic gateway's method)."""

    name: str
    label: str
    kind: str = "text"  # text | choice | int | bool | mapping
    default: Any = None
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


@dataclass(frozen=True, kw_only=True)
class GatewayInfo:
    """A gateway type's metadata: GroupID's Name, Description, URL and *Required flags."""

    name: str
    description: str
    default_url: str = ""
    fields: Mapping[str, FieldSpec] = field(default_factory=field_specs)
    options: tuple[OptionSpec, ...] = ()

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(n for n, s in self.fields.items() if s.required)

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return tuple(n for n, s in self.fields.items() if s.secret)

    def label(self, name: str) -> str:
        return self.fields[name].label if name in self.fields else DEFAULT_LABELS.get(name, name)


@dataclass(frozen=True, kw_only=True)
class ProxySettings:
    """Where and how to reach the proxy; the password never shows in repr."""

    host: str
    port: int
    user_name: str | None = None
    password: str | None = field(default=None, repr=False)
    domain: str | None = None
    description: str | None = None

    def __repr__(self) -> str:
        pw = ", password='********'" if self.password else ""
        user = f", user_name={self.user_name!r}" if self.user_name else ""
        return f"ProxySettings(host={self.host!r}, port={self.port}{user}{pw})"


@dataclass(frozen=True, kw_only=True)
class GatewaySettings:
    """Everything a gateway needs to talk to its provider, decrypted, for one call only."""

    gateway_url: str = ""
    account_id: str | None = None
    user_name: str | None = None
    password: str | None = field(default=None, repr=False)
    sender_id: str | None = None
    proxy: ProxySettings | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    ca_bundle: str | None = None
    # How often a refused or failed connect is retried (nothing was written, so it is safe); routing
    # sets 0 while another account is left to fail over to.
    connect_retries: int = 2

    def __repr__(self) -> str:
        shown = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "password":
                value = "********" if value else None
            shown.append(f"{f.name}={value!r}")
        return f"GatewaySettings({', '.join(shown)})"

    def replace(self, **changes: Any) -> GatewaySettings:
        return dataclasses.replace(self, **changes)


class GatewayType:
    """Marker base: a class registered as a gateway type carries `info: GatewayInfo`."""

    info: ClassVar[GatewayInfo]
