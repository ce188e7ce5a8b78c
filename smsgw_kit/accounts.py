"""Gateway account operations inside one transaction: find, create, modify, default, delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from . import audit, bulk, keystore, locks, refs, rules, secret_options
from .errors import AccountLinked, DuplicateName, NotFound, StaleEdit
from .fields import CLEARABLE, SECRETS, GatewayAccountCreate, GatewayAccountUpdate
from .gateways import GatewaySettings, ProxySettings, get_gateway_type
from .models import AccountDeleted, GatewayAccount, GatewayAccountPublic, IdentityStore, utcnow
from .secrets import Keyring, NoKeys

KIND = "SMS gateway account"
ACCOUNTS = GatewayAccount.metadata.tables["gateway_account"]
# What a send reads of an account (Core, no ORM row): its id and name, and every column its settings come from.
SEND_COLUMNS = tuple(c for c in ACCOUNTS.c if c.name not in ("name_key", "is_default", "version", "created_at",
                                                             "created_by", "updated_at", "updated_by"))
NO_DEFAULT_LEFT = ("{name!r} was the default SMS gateway account; there is no default now, so identity stores "
                   "created from now on have no account until another account is made the default.")


@dataclass(frozen=True)
class Context:
    """Who acts and with which keys, for one operation."""

    actor: str
    keyring: Keyring | NoKeys


def clean_fields(raw: dict[str, Any], *, create: bool = False) -> dict[str, Any]:
    """Each given field checked by its rule (see fields.FIELDS); the name also gets its uniqueness key."""
    values = (GatewayAccountCreate if create else GatewayAccountUpdate).check(raw)
    if "name" in values:
        values["name_key"] = rules.clean_name(values["name"])[1]
    return values


def find(session: Session, ref: Any) -> GatewayAccount:
    """The account with id `ref` (int) or name `ref` (str, case-insensitive, trimmed), unlocked (see `lock`)."""
    return refs.find(session, GatewayAccount, ref, kind=KIND, field="account", public=GatewayAccountPublic)


def lock(session: Session, ref: Any, *, with_default: bool = False,
         mode: locks.Mode = "update") -> GatewayAccount:
    """Find and lock the account (with the current default, when it is about to change) in the lock order."""
    row = find(session, ref)
    ids = [row.id, current_default_id(session) if with_default else None]
    locked = locks.accounts(session, ids, mode)
    if row.id not in locked:
        raise NotFound(KIND, ref.strip() if isinstance(ref, str) else getattr(ref, "id", ref))
    return locked[row.id]


def _check_unique(session: Session, name_key: str, name: str, own_id: int | None) -> None:
    clash = session.exec(select(GatewayAccount.id).where(GatewayAccount.name_key == name_key)).first()
    if clash is not None and clash != own_id:
        raise DuplicateName(KIND, name)


def _validate(values: dict[str, Any]) -> None:
    """The gateway type's required fields and the proxy rule; secrets given (or kept) in clear keys."""
    rules.check_required(get_gateway_type(values["gateway_type"]).info, values)
    rules.check_formats(get_gateway_type(values["gateway_type"]).info, values)
    rules.check_proxy(values)


def _new_values(fields: dict[str, Any]) -> dict[str, Any]:
    """A new account's values, checked by every rule (secrets still in clear)."""
    values = clean_fields(fields, create=True)
    if not values.get("gateway_url"):
        values["gateway_url"] = get_gateway_type(values["gateway_type"]).info.default_url
    _validate(values)
    return values


def create(session: Session, ctx: Context, fields: dict[str, Any], *, make_default: bool) -> GatewayAccount:
    values = _new_values(fields)
    _check_unique(session, values["name_key"], values["name"], None)
    secrets: dict[str, Any] = {col: ctx.keyring.encrypt(values.pop(k, None)) for k, col in SECRETS.items()}
    values["options"], secrets["options_enc"], _ = secret_options.seal(
        ctx.keyring, values["gateway_type"], values.get("options"), None)
    row = GatewayAccount(**values, **secrets, created_by=ctx.actor, updated_by=ctx.actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=ctx.actor, action="account.create", row=row, after=audit.snapshot(row))
    if make_default:
        set_default(session, ctx, row)
    return row


def create_many(session: Session, ctx: Context, many: list[dict[str, Any]], *, checked: bool = False) -> list[int]:
    """Create many accounts at once (a configuration being applied): each checked as `create` checks
    one, then one uniqueness query, one batched INSERT and one audit event each; their ids in order.

    `checked`: the values are a plan's, already cleaned and validated by these same rules, their names
    already found free in this transaction (config.apply); only the batch's own duplicates are looked for.
    """
    prepared = ([{**fields, "name_key": rules.clean_name(fields["name"])[1]} for fields in many] if checked
                else [_new_values(fields) for fields in many])
    seen: dict[str, str] = {}
    for values in prepared:
        if values["name_key"] in seen:
            raise DuplicateName(KIND, values["name"])
        seen[values["name_key"]] = values["name"]
    for chunk in ([] if checked else [list(seen)[i:i + 500] for i in range(0, len(seen), 500)]):
        clash = session.exec(select(GatewayAccount.name).where(col(GatewayAccount.name_key).in_(chunk))).first()
        if clash is not None:
            raise DuplicateName(KIND, clash)
    now = utcnow()
    template = _new_row_template()
    rows = [_new_row(values, ctx, now, template) for values in prepared]
    keystore.guard_rows(session, rows)  # as the ORM's flush guard does: the current key, recorded if first
    before = session.exec(select(sa.func.max(GatewayAccount.id))).one() or 0
    # No RETURNING (COPY on PostgreSQL, executemany elsewhere: the fast paths). New ids are above every
    # id there was (ids only grow), so one query reads them back; name_key is unique.
    bulk.insert_rows(session, ACCOUNTS, rows)
    new_ids = sa.select(ACCOUNTS.c.name_key, ACCOUNTS.c.id).where(ACCOUNTS.c.id > before)
    by_key: dict[str, int] = dict(session.connection().execute(new_ids).all())  # (key, id) rows; Core: no ORM work
    ids = [by_key[row["name_key"]] for row in rows]
    audit.record_many(session, actor=ctx.actor, action="account.create", object_kind="account",
                      events=[(i, row["name"], None, audit.snapshot_values(row)) for i, row in zip(ids, rows, strict=True)])
    return ids


def _new_row_template() -> dict[str, Any]:
    """The model's defaults for every column but the id, in model order (worked out once per batch)."""
    # the model's factories take no arguments (none asks for the validated data)
    return {name: (cast(Callable[[], Any], f.default_factory)() if f.default_factory else f.default)
            for name, f in GatewayAccount.model_fields.items() if name != "id"}


def _new_row(values: dict[str, Any], ctx: Context, now: Any, template: dict[str, Any]) -> dict[str, Any]:
    """Every column of a new account (model defaults filled in, secrets encrypted), in model order."""
    row = {**template, **values}  # the template's mutable default (options) is replaced by seal below
    row.update({col: ctx.keyring.encrypt(row.pop(k, None)) for k, col in SECRETS.items()})
    row["options"], row["options_enc"], _ = secret_options.seal(ctx.keyring, row["gateway_type"], row.get("options"), None)
    row.update(created_at=now, updated_at=now, created_by=ctx.actor, updated_by=ctx.actor)
    return row


def modify(session: Session, ctx: Context, row: GatewayAccount, fields: dict[str, Any],
           *, clear: object = ()) -> bool:
    """Apply the changes; True if anything changed. Empty secrets keep the stored ones."""
    values = clean_fields(fields)
    clear = rules.clean_choices(clear, "clear", CLEARABLE)
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
    if "options" in values:  # secret options: encrypted apart, masks keep the stored values
        values["options"], values["options_enc"], options_changed = secret_options.seal(
            ctx.keyring, values.get("gateway_type", row.gateway_type), values["options"], row.options_enc)
        new_secrets.update({"secret_options": True} if options_changed else {})
    if "options" in clear:
        values["options_enc"] = None
    for key, value in values.items():
        setattr(row, key, value)
    for name, column in SECRETS.items():
        if name in cleared:
            setattr(row, column, None)
        elif name in new_secrets:
            setattr(row, column, ctx.keyring.encrypt(new_secrets[name]))
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
    """StaleEdit when the caller's copy (version `expected`) is not the row's current version."""
    if expected is not None and row.version != expected:
        raise StaleEdit("SMS gateway account", row.name, expected, row.version,
                        changed_by=row.updated_by, changed_at=row.updated_at)


def current_default_id(session: Session) -> int | None:
    """The default account's id; stable once the default lock is held."""
    return session.exec(select(GatewayAccount.id).where(GatewayAccount.is_default == True)).first()  # noqa: E712


def current_default(session: Session) -> GatewayAccount | None:
    """The default account, as read (no lock)."""
    return session.exec(select(GatewayAccount).where(GatewayAccount.is_default == True)).first()  # noqa: E712


def locked_default(session: Session, mode: locks.Mode = "update") -> GatewayAccount | None:
    """The default account, locked (the default lock is taken first, as the lock order says)."""
    locks.take_default(session)
    default_id = current_default_id(session)
    return locks.accounts(session, [default_id], mode).get(default_id) if default_id is not None else None


def set_default(session: Session, ctx: Context, row: GatewayAccount) -> bool:
    """Make `row` the one default account, clearing the previous one in the same transaction.

    The caller locked `row` together with the current default (`lock(..., with_default=True)`).
    """
    old = locked_default(session)
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
    """No account is default afterwards (or `row` is no longer, if given: `row` is locked, so its flag is true)."""
    if row is not None and not row.is_default:
        return False  # locking the default after `row` would break the lock order, and nothing changes
    old = locked_default(session)
    if old is None or (row is not None and old.id != row.id):
        return False
    old.is_default = False
    _touch(old, ctx)
    session.add(old)
    audit.record(session, actor=ctx.actor, action="account.clear_default", row=old,
                 before={"default": old.name}, after={"default": None})
    return True


def linked_store_names(session: Session, account_id: int | None) -> list[str]:
    query = select(IdentityStore.name).where(IdentityStore.gateway_account_id == account_id)
    return sorted(session.exec(query).all())


def ensure_deletable(session: Session, row: GatewayAccount) -> None:
    """The delete guard: refuse, naming each store and role, while any identity store uses the account."""
    from . import routes  # routes builds on this module

    uses = routes.uses(session, cast(int, row.id))
    if uses:
        raise AccountLinked(row.name, [], uses=uses)


def delete(session: Session, ctx: Context, row: GatewayAccount) -> AccountDeleted:
    """Delete an unlinked account (the foreign key refuses it too if a link sneaks in meanwhile)."""
    ensure_deletable(session, row)
    notice = NO_DEFAULT_LEFT.format(name=row.name) if row.is_default else None
    audit.record(session, actor=ctx.actor, action="account.delete", row=row, before=audit.snapshot(row),
                 after={"default": None, "notice": notice} if notice else None)
    session.delete(row)
    session.flush()
    return AccountDeleted(id=cast(int, row.id), name=row.name, was_default=row.is_default, notice=notice)


def settings_of(row: GatewayAccount | sa.Row, keyring: Keyring | NoKeys) -> GatewaySettings:
    """The decrypted settings a gateway needs, for one call (`row`: an account, or a Core row of SEND_COLUMNS)."""
    values = row.model_dump() if isinstance(row, GatewayAccount) else dict(row._mapping)
    return build_settings({**values, "password": keyring.decrypt(row.password_enc),
                           "proxy_password": keyring.decrypt(row.proxy_password_enc),
                           "secret_options": secret_options.unseal(keyring, row.options_enc)})


def build_settings(v: dict[str, Any]) -> GatewaySettings:
    host = v.get("proxy_host_name") or v.get("proxy_domain")
    proxy = None
    if host and v.get("proxy_port"):
        proxy = ProxySettings(
            host=host, port=v["proxy_port"], user_name=v.get("proxy_user_name"),
            password=v.get("proxy_password"), domain=v.get("proxy_domain"),
            description=v.get("proxy_description"),
        )
    options, secret = secret_options.split(v.get("gateway_type"), v.get("options"), v.get("secret_options"))
    return GatewaySettings(
        gateway_url=v.get("gateway_url") or "", account_id=v.get("account_id"), user_name=v.get("user_name"),
        password=v.get("password"), sender_id=v.get("sender_id"), proxy=proxy,
        options=options, secret_options=secret, connect_timeout=v.get("connect_timeout") or 5.0,
        read_timeout=v.get("read_timeout") or 15.0, ca_bundle=v.get("ca_bundle"),
    )
