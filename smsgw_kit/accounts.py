"""Gateway account operations inside one transaction: find, create, modify, default, delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from . import audit, refs, rules
from .errors import AccountLinked, DuplicateName, InvalidInput, StaleEdit
from .gateways import GatewaySettings, ProxySettings, get_gateway_type
from .models import GatewayAccount, IdentityStore, utcnow
from .secrets import Keyring

KIND = "SMS gateway account"
SECRETS = {"password": "password_enc", "proxy_password": "proxy_password_enc"}
TEXT_FIELDS = ("account_id", "user_name", "sender_id", "proxy_user_name", "proxy_domain", "proxy_host_name", "ca_bundle")
EDITABLE = frozenset({
    "name", "gateway_type", "gateway_url", *TEXT_FIELDS, *SECRETS, "proxy_description",
    "proxy_port", "connect_timeout", "read_timeout", "options",
})
CLEARABLE = frozenset({*SECRETS, *TEXT_FIELDS, "proxy_description", "proxy_port", "options"})
DEFAULT_LOCK = 0x5_3_6D_73_68  # serialises every change of the default account on PostgreSQL


@dataclass(frozen=True)
class Context:
    """Who acts and with which keys, for one operation."""

    actor: str
    keyring: Keyring


def clean_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Each given field checked by its rule; unknown fields refused with the list of known ones."""
    unknown = set(raw) - EDITABLE
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(field, "is not an account field", allowed=", ".join(sorted(EDITABLE)))
    out: dict[str, Any] = {}
    for field, value in raw.items():
        if field == "name":
            out["name"], out["name_key"] = rules.clean_name(value)
        elif field == "gateway_type":
            if not isinstance(value, str):
                raise InvalidInput("gateway_type", "must be the name of a gateway type")
            out[field] = get_gateway_type(value).info.name
        elif field == "gateway_url":
            out[field] = rules.clean_url(value)
        elif field in SECRETS:
            out[field] = rules.clean_secret(value, field)
        elif field == "proxy_port":
            out[field] = rules.clean_port(value)
        elif field in ("connect_timeout", "read_timeout"):
            out[field] = rules.clean_timeout(value, field)
        elif field == "options":
            out[field] = rules.clean_options(value)
        elif field == "proxy_description":
            out[field] = rules.clean_text(value, field, max_len=1000, multiline=True)
        else:
            out[field] = rules.clean_text(value, field)
    return out


def find(session: Session, ref: Any, *, lock: bool = False, share: bool = False) -> GatewayAccount:
    """The account with id `ref` (int) or name `ref` (str, case-insensitive, trimmed)."""
    return refs.find(session, GatewayAccount, ref, kind=KIND, field="account", lock=lock, share=share)


def _check_unique(session: Session, name_key: str, name: str, own_id: int | None) -> None:
    clash = session.exec(select(GatewayAccount.id).where(GatewayAccount.name_key == name_key)).first()
    if clash is not None and clash != own_id:
        raise DuplicateName(KIND, name)


def _validate(values: dict[str, Any]) -> None:
    """The gateway type's required fields and the proxy rule; secrets given (or kept) in clear keys."""
    rules.check_required(get_gateway_type(values["gateway_type"]).info, values)
    rules.check_proxy(values)


def create(session: Session, ctx: Context, fields: dict[str, Any], *, make_default: bool) -> GatewayAccount:
    values = clean_fields(fields)
    if "name" not in values or "gateway_type" not in values:
        missing = "name" if "name" not in values else "gateway_type"
        raise InvalidInput(missing, "is required")
    if not values.get("gateway_url"):
        values["gateway_url"] = get_gateway_type(values["gateway_type"]).info.default_url
    _validate(values)
    _check_unique(session, values["name_key"], values["name"], None)
    secrets = {col: ctx.keyring.encrypt(values.pop(k, None)) for k, col in SECRETS.items()}
    row = GatewayAccount(**values, **secrets, created_by=ctx.actor, updated_by=ctx.actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=ctx.actor, action="account.create", row=row, after=audit.snapshot(row))
    if make_default:
        set_default(session, ctx, row)
    return row


def modify(session: Session, ctx: Context, row: GatewayAccount, fields: dict[str, Any],
           *, clear: tuple[str, ...] = ()) -> bool:
    """Apply the changes; True if anything changed. Empty secrets keep the stored ones."""
    values = clean_fields(fields)
    bad = [c for c in clear if c not in CLEARABLE]
    if bad:
        raise InvalidInput("clear", f"{bad[0]!r} cannot be cleared", allowed=", ".join(sorted(CLEARABLE)))
    before = audit.snapshot(row)
    if "gateway_type" in values and "gateway_url" not in values and values["gateway_type"] != row.gateway_type:
        values["gateway_url"] = get_gateway_type(values["gateway_type"]).info.default_url
    if "name_key" in values:
        _check_unique(session, values["name_key"], values["name"], row.id)
    new_secrets = {k: v for k in SECRETS if (v := values.pop(k, None))}
    cleared = {c for c in clear if c in SECRETS}
    values.update({c: ({} if c == "options" else None) for c in clear if c not in SECRETS})
    kept = {k: None if k in cleared else new_secrets.get(k) or getattr(row, col) for k, col in SECRETS.items()}
    _validate({**row.model_dump(), **values, **kept})
    for key, value in values.items():
        setattr(row, key, value)
    for name, col in SECRETS.items():
        if name in cleared:
            setattr(row, col, None)
        elif name in new_secrets:
            setattr(row, col, ctx.keyring.encrypt(new_secrets[name]))
    old, new = audit.changes(before, audit.snapshot(row), rotated=set(new_secrets))
    if not old:
        return False
    _touch(row, ctx)
    session.add(row)
    audit.record(session, actor=ctx.actor, action="account.modify", row=row, before=old, after=new)
    return True


def _touch(row: GatewayAccount, ctx: Context) -> None:
    row.version += 1
    row.updated_at = utcnow()
    row.updated_by = ctx.actor


def check_version(row: GatewayAccount, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise StaleEdit("SMS gateway account", row.name, expected, row.version,
                        changed_by=row.updated_by, changed_at=row.updated_at)


def lock_default(session: Session) -> None:
    """Serialise default changes: PostgreSQL takes an advisory lock; SQLite's writer lock already does."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(sa.select(sa.func.pg_advisory_xact_lock(DEFAULT_LOCK)))


def current_default(session: Session) -> GatewayAccount | None:
    return session.exec(select(GatewayAccount).where(GatewayAccount.is_default == True)).first()  # noqa: E712


def set_default(session: Session, ctx: Context, row: GatewayAccount) -> bool:
    """Make `row` the one default account, clearing the previous one in the same transaction."""
    lock_default(session)
    old = current_default(session)
    if old is not None and old.id == row.id:
        return False
    if old is not None:
        old.is_default = False
        _touch(old, ctx)
        session.add(old)
        session.flush()  # the old flag must be gone before the unique index sees the new one
    row.is_default = True
    _touch(row, ctx)
    session.add(row)
    session.flush()
    audit.record(session, actor=ctx.actor, action="account.set_default", row=row,
                 before={"default": old.name if old else None}, after={"default": row.name})
    return True


def clear_default(session: Session, ctx: Context, row: GatewayAccount | None = None) -> bool:
    """No account is default afterwards (or `row` is no longer, if given)."""
    lock_default(session)
    old = current_default(session)
    if old is None or (row is not None and old.id != row.id):
        return False
    old.is_default = False
    _touch(old, ctx)
    session.add(old)
    audit.record(session, actor=ctx.actor, action="account.clear_default", row=old,
                 before={"default": old.name}, after={"default": None})
    return True


def linked_store_names(session: Session, account_id: int) -> list[str]:
    query = select(IdentityStore.name).where(IdentityStore.gateway_account_id == account_id)
    return sorted(session.exec(query).all())


def ensure_deletable(session: Session, row: GatewayAccount) -> None:
    """The delete guard: refuse, naming the stores, while any identity store uses the account."""
    stores = linked_store_names(session, row.id)
    if stores:
        raise AccountLinked(row.name, stores)


def delete(session: Session, ctx: Context, row: GatewayAccount) -> None:
    """Delete an unlinked account (the foreign key refuses it too if a link sneaks in meanwhile)."""
    ensure_deletable(session, row)
    audit.record(session, actor=ctx.actor, action="account.delete", row=row, before=audit.snapshot(row))
    session.delete(row)
    session.flush()


def settings_of(row: GatewayAccount, keyring: Keyring) -> GatewaySettings:
    """The decrypted settings a gateway needs, for one call."""
    return build_settings({**row.model_dump(), "password": keyring.decrypt(row.password_enc),
                           "proxy_password": keyring.decrypt(row.proxy_password_enc)})


def build_settings(v: dict[str, Any]) -> GatewaySettings:
    host = v.get("proxy_host_name") or v.get("proxy_domain")
    proxy = None
    if host and v.get("proxy_port"):
        proxy = ProxySettings(
            host=host, port=v["proxy_port"], user_name=v.get("proxy_user_name"),
            password=v.get("proxy_password"), domain=v.get("proxy_domain"),
            description=v.get("proxy_description"),
        )
    return GatewaySettings(
        gateway_url=v.get("gateway_url") or "", account_id=v.get("account_id"), user_name=v.get("user_name"),
        password=v.get("password"), sender_id=v.get("sender_id"), proxy=proxy,
        options=v.get("options") or {}, connect_timeout=v.get("connect_timeout") or 5.0,
        read_timeout=v.get("read_timeout") or 15.0, ca_bundle=v.get("ca_bundle"),
    )
