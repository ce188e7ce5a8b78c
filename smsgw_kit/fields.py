"""The one table of account fields (label, type, rule, secret, clearable, proxy part) and the input models built from it."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    create_model,
)
from pydantic import Field as PydanticField

from . import rules
from .errors import InvalidInput
from .models import TEXT_MAX, URL_MAX

if TYPE_CHECKING:
    from .gateways.base import GatewayInfo


# One account field: how the operator sees it, which rule (in rules.py) checks it, how it is stored.
@dataclass(frozen=True, kw_only=True)
class AccountField:
    """One field of an SMS gateway account, as every layer (service, audit, forms) sees it."""

    name: str
    label: str
    type: Any  # the Python type of a cleaned value (None is always allowed where the field is optional)
    rule: Callable[[Any, str], Any]  # rules.clean_*(value, field) -> cleaned value, or InvalidInput
    secret: bool = False  # stored encrypted in `<name>_enc`, never shown
    clearable: bool = False  # modify_account(clear=[name]) empties it
    proxy: bool = False  # shown under "Proxy Options"
    per_gateway: bool = False  # a gateway type's FieldSpec may relabel it and make it required
    help: str = ""

    @property
    def column(self) -> str:
        return f"{self.name}_enc" if self.secret else self.name

    def clean(self, value: Any) -> Any:
        return self.rule(value, self.name)

    def required_for(self, info: GatewayInfo) -> bool:
        spec = info.fields.get(self.name)
        return bool(spec and spec.required)


def _f(name: str, label: str, type_: Any, rule: Callable[..., Any], **flags: Any) -> AccountField:
    return AccountField(name=name, label=label, type=type_, rule=rule, **flags)


_text = rules.clean_text
_optional_text = {"clearable": True, "per_gateway": True}

# The table: one line per field, in the order the forms show them.
FIELDS: Mapping[str, AccountField] = MappingProxyType({f.name: f for f in (
    _f("name", "Name", str, lambda v, f: rules.clean_name(v, f)[0]),
    _f("gateway_type", "Gateway Type", str, rules.clean_gateway_type),
    _f("gateway_url", "Gateway URL", str, rules.clean_url, per_gateway=True),
    _f("account_id", "Account ID", str, _text, **_optional_text),
    _f("user_name", "User Name", str, _text, **_optional_text),
    _f("password", "Password", str, rules.clean_secret, secret=True, **_optional_text),
    _f("sender_id", "Sender ID (From)", str, _text, **_optional_text),
    _f("proxy_user_name", "Proxy User Name", str, _text, proxy=True, **_optional_text),
    _f("proxy_password", "Proxy Password", str, rules.clean_secret, secret=True, proxy=True, **_optional_text),
    _f("proxy_description", "Description", str, partial(_text, max_len=TEXT_MAX, multiline=True),
       proxy=True, **_optional_text),
    _f("proxy_domain", "Proxy Domain", str, rules.clean_host, proxy=True, **_optional_text),
    _f("proxy_host_name", "Proxy Host Name", str, rules.clean_host, proxy=True, **_optional_text),
    _f("proxy_port", "Proxy Port", int, rules.clean_port, proxy=True, **_optional_text),
    _f("connect_timeout", "Connect Timeout (s)", float, rules.clean_timeout),
    _f("read_timeout", "Read Timeout (s)", float, rules.clean_timeout),
    _f("ca_bundle", "CA Bundle", str, partial(_text, max_len=URL_MAX), clearable=True,
       help="a file of trusted CA certificates, for providers behind a private CA"),
    _f("options", "Options", dict[str, Any], rules.clean_options, clearable=True,
       help="the gateway type's own settings"),
)})

GATEWAY_FIELDS: tuple[str, ...] = tuple(n for n, f in FIELDS.items() if f.per_gateway)
PROXY_FIELDS: tuple[str, ...] = tuple(n for n, f in FIELDS.items() if f.proxy)
SECRETS: Mapping[str, str] = MappingProxyType({n: f.column for n, f in FIELDS.items() if f.secret})
CLEARABLE: frozenset[str] = frozenset(n for n, f in FIELDS.items() if f.clearable)
REQUIRED_ON_CREATE = ("name", "gateway_type")
_REQUIRED_ALLOWED = {"name": "a name of 1 to 128 characters", "gateway_type": "a registered gateway type, e.g. 'Nexmo'"}


def label(name: str) -> str:
    """The default label of a field (a gateway type may relabel it)."""
    return FIELDS[name].label if name in FIELDS else name


# Input models -------------------------------------------------------------------------------------

class AccountInput(BaseModel):
    """Shared behaviour of the account input models: unknown fields refused, errors as InvalidInput."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    @classmethod
    def check(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The given fields, each cleaned by its rule; the first problem raised as InvalidInput."""
        try:
            return cls.model_validate(dict(raw)).model_dump(exclude_unset=True)
        except ValidationError as exc:
            raise _first_problem(exc) from None

    @classmethod
    def describe(cls) -> str:
        lines = []
        for name, info in cls.model_fields.items():
            spec = FIELDS[name]
            marks = [m for m, on in (("required", info.is_required()), ("secret", spec.secret),
                                     ("proxy", spec.proxy), ("clearable", spec.clearable)) if on]
            lines.append(f"    {name}: {spec.label}" + (f" ({', '.join(marks)})" if marks else "")
                         + (f" — {spec.help}" if spec.help else ""))
        return "\n".join(lines)


def _first_problem(exc: ValidationError) -> InvalidInput:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else "fields"
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, InvalidInput):
        return cause
    if error["type"] == "extra_forbidden":
        return InvalidInput(field[:80], "is not an account field", allowed=", ".join(FIELDS))
    if error["type"] == "missing":
        return InvalidInput(field, "is required", label=label(field), allowed=_REQUIRED_ALLOWED.get(field))
    return InvalidInput(field, error["msg"], label=label(field), allowed="see help(GatewayAdmin.create_account)")


def _model(name: str, doc: str, *, create: bool) -> type[AccountInput]:
    fields: dict[str, Any] = {}
    for spec in FIELDS.values():
        required = create and spec.name in REQUIRED_ON_CREATE
        kind = spec.type if required else spec.type | None
        default = ... if required else None
        fields[spec.name] = (Annotated[kind, BeforeValidator(spec.clean)],
                             PydanticField(default, title=spec.label, description=spec.help or None))
    model = create_model(name, __base__=AccountInput, __doc__=doc, **fields)
    model.__module__ = __name__
    return model


# What create_account accepts: name and gateway type required, every other field optional.
GatewayAccountCreate = _model("GatewayAccountCreate", "The fields of a new SMS gateway account.", create=True)
# What modify_account accepts: any subset of the fields; only the ones given change.
GatewayAccountUpdate = _model("GatewayAccountUpdate", "Changes to an SMS gateway account (only given fields change).",
                              create=False)


def takes_fields(model: type[AccountInput], *, skip: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Give a `**fields` function the model's fields as its visible keyword parameters (help(), IDEs)."""
    def wrap(fn: Callable) -> Callable:
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
        taken = {p.name for p in params} | set(skip)
        for name, info in model.model_fields.items():
            if name in taken:
                continue
            spec = FIELDS[name]
            params.append(inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if info.is_required() else None,
                annotation=spec.type if info.is_required() else spec.type | None,
            ))
        params.sort(key=lambda p: p.kind)
        fn.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]  # read by inspect
        fn.__doc__ = f"{inspect.cleandoc(fn.__doc__ or '')}\n\nAccount fields ({model.__name__}):\n{model.describe()}"
        return fn
    return wrap
