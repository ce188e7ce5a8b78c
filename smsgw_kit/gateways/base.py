"""The gateway contract: how a gateway type describes itself and the settings it is handed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

from ..fields import FIELDS, GATEWAY_FIELDS

# The account fields a gateway type can ask for, in the order the forms show them (from the one field table).
ACCOUNT_FIELDS: tuple[str, ...] = GATEWAY_FIELDS


@dataclass(frozen=True, kw_only=True)
class FieldSpec:
    """How one account field appears and behaves for one gateway type."""

    label: str
    required: bool = False
    secret: bool = False
    help: str = ""
    # A format the provider fixes (e.g. Twilio's Account SID): a full-match regular expression and
    # the words that say what is allowed; checked before any traffic, in the form and the API.
    pattern: str = ""
    hint: str = ""


def field_specs(required: tuple[str, ...] = (), formats: Mapping[str, tuple[str, str]] | None = None,
                **overrides: FieldSpec | str) -> Mapping[str, FieldSpec]:
    """Every account field with its default label; `required` names mandatory ones, `formats` gives
    (pattern, hint) for fields whose format the provider fixes, overrides relabel."""
    specs = {}
    formats = formats or {}
    for name in ACCOUNT_FIELDS:
        override = overrides.get(name)
        if isinstance(override, FieldSpec):
            specs[name] = override
            continue
        pattern, hint = formats.get(name, ("", ""))
        specs[name] = FieldSpec(
            label=override or FIELDS[name].label,
            required=name in required,
            secret=FIELDS[name].secret,
            pattern=pattern, hint=hint,
        )
    unknown = (set(overrides) | set(formats)) - set(ACCOUNT_FIELDS)
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
    secret: bool = False  # encrypted at rest, masked in audit, frames, reprs and logs, like a password


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
        return self.fields[name].label if name in self.fields else FIELDS[name].label if name in FIELDS else name


@dataclass(frozen=True, kw_only=True)
class ProxySettings:
    """Where and how to reach the proxy; the password never shows in repr.

    `host` is the Proxy Host Name (or the domain when none was given) and `domain` the Proxy Domain:
    the address is the host completed with the domain when the host is a bare name
    (`http.proxy_address`). The user name is sent as given, never as DOMAIN\\user.
    """

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
    # The options the gateway type declares secret, decrypted for this call (never in repr).
    secret_options: Mapping[str, Any] = field(default_factory=dict, repr=False)
    # How often a refused or failed connect is retried (nothing was written, so it is safe); routing
    # sets 0 while another account is left to fail over to.
    connect_retries: int = 2

    def __repr__(self) -> str:
        shown = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("password", "secret_options"):
                if f.name == "secret_options" and not value:
                    continue
                value = "********" if value else None
            shown.append(f"{f.name}={value!r}")
        return f"GatewaySettings({', '.join(shown)})"

    def replace(self, **changes: Any) -> GatewaySettings:
        return dataclasses.replace(self, **changes)


class GatewayType:
    """Marker base: a class registered as a gateway type carries `info: GatewayInfo`."""

    info: ClassVar[GatewayInfo]
