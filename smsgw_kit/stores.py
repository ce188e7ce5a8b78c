"""Identity store operations inside one transaction: create (auto-link), link, unlink, SMS text, delete."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from . import accounts, audit, refs, rules
from .errors import DuplicateName
from .models import GatewayAccount, IdentityStore, IdentityStorePublic, utcnow

KIND = "identity store"


def find(session: Session, ref: Any, *, lock: bool = False) -> IdentityStore:
    """The store with id `ref` (int) or name `ref` (str, case-insensitive, trimmed)."""
    return refs.find(session, IdentityStore, ref, kind=KIND, field="identity_store", public=IdentityStorePublic,
                     lock=lock)


def account_name(session: Session, row: IdentityStore) -> str | None:
    if row.gateway_account_id is None:
        return None
    return session.get(GatewayAccount, row.gateway_account_id).name


def _touch(row: IdentityStore, actor: str) -> None:
    row.version += 1
    row.updated_at = utcnow()
    row.updated_by = actor


def create(session: Session, ctx: accounts.Context, *, name: Any, store_type: Any, sms_text: Any) -> IdentityStore:
    """A new store, linked to the account that is default right now (if any)."""
    name, key = rules.clean_name(name)
    kind = rules.clean_text(store_type, "store_type") or "Active Directory"
    text = rules.clean_sms_text(sms_text)
    if session.exec(select(IdentityStore.id).where(IdentityStore.name_key == key)).first() is not None:
        raise DuplicateName(KIND, name)
    accounts.lock_default(session)  # the default read here must not change before we commit
    default = accounts.current_default(session)
    row = IdentityStore(
        name=name, name_key=key, store_type=kind, sms_text=text,
        gateway_account_id=default.id if default else None, link_source="default" if default else None,
        created_by=ctx.actor, updated_by=ctx.actor,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor=ctx.actor, action="store.create", row=row,
                 after={**audit.snapshot(row), "gateway_account": default.name if default else None})
    return row


def link(session: Session, ctx: accounts.Context, row: IdentityStore, account: GatewayAccount) -> bool:
    """Link the store to `account` by hand (replacing any earlier link)."""
    if row.gateway_account_id == account.id:
        if row.link_source != "manual":
            row.link_source = "manual"
            session.add(row)
        return False
    before = account_name(session, row)
    row.gateway_account_id = account.id
    row.link_source = "manual"
    _touch(row, ctx.actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=ctx.actor, action="store.link", row=row,
                 before={"gateway_account": before}, after={"gateway_account": account.name})
    return True


def unlink(session: Session, ctx: accounts.Context, row: IdentityStore) -> bool:
    """The store keeps no gateway account."""
    if row.gateway_account_id is None:
        return False
    before = account_name(session, row)
    row.gateway_account_id = None
    row.link_source = None
    _touch(row, ctx.actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=ctx.actor, action="store.unlink", row=row,
                 before={"gateway_account": before}, after={"gateway_account": None})
    return True


def set_sms_text(session: Session, ctx: accounts.Context, row: IdentityStore, text: Any) -> bool:
    """Replace the store's SMS text; it must keep `[Code]`."""
    text = rules.clean_sms_text(text)
    if text == row.sms_text:
        return False
    before = row.sms_text
    row.sms_text = text
    _touch(row, ctx.actor)
    session.add(row)
    audit.record(session, actor=ctx.actor, action="store.set_sms_text", row=row,
                 before={"sms_text": before}, after={"sms_text": text})
    return True


def delete(session: Session, ctx: accounts.Context, row: IdentityStore) -> None:
    audit.record(session, actor=ctx.actor, action="store.delete", row=row,
                 before={**audit.snapshot(row), "gateway_account": account_name(session, row)})
    session.delete(row)
    session.flush()
