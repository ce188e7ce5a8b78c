"""Identity store operations inside one transaction: create (auto-link), link, unlink, SMS text, delete."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from . import accounts, audit, locks, refs, rules
from .errors import Conflict, DuplicateName, NotFound
from .models import GatewayAccount, IdentityStore, IdentityStorePublic, utcnow

KIND = "identity store"
NO_DEFAULT = ("There is no default SMS gateway account, so this identity store is not linked to any: link it "
              "to an account, or make an account the default before creating stores.")


def find(session: Session, ref: Any) -> IdentityStore:
    """The store with id `ref` (int) or name `ref` (str, case-insensitive, trimmed), unlocked (see `lock`)."""
    return refs.find(session, IdentityStore, ref, kind=KIND, field="identity_store", public=IdentityStorePublic)


def lock(session: Session, ref: Any, *account_refs: Any) -> tuple[IdentityStore, dict[int, GatewayAccount]]:
    """Lock the store after its linked account and the accounts named in `account_refs` (the lock order).

    Returns the store and the locked accounts by id; NotFound if the store or a named account is gone.
    """
    wanted = [accounts.find(session, a).id for a in account_refs]
    for _ in range(3):
        peek = find(session, ref)
        attempt = session.begin_nested()  # if the store moved meanwhile, its locks go and we start over in order
        linked = locks.accounts(session, [peek.gateway_account_id, *wanted], "share")
        missing = next((a for a, i in zip(account_refs, wanted, strict=True) if i not in linked), None)
        if missing is not None:
            raise NotFound(accounts.KIND, getattr(missing, "id", missing))
        row = locks.store(session, peek.id)  # type: ignore[arg-type]
        if row is None:
            raise NotFound(KIND, ref)
        if row.gateway_account_id is None or row.gateway_account_id in linked:
            attempt.commit()
            return row, linked
        attempt.rollback()
    raise Conflict(f"The identity store {peek.name!r} is being relinked by someone else right now; try again.")


def account_name(session: Session, row: IdentityStore) -> str | None:
    account = session.get(GatewayAccount, row.gateway_account_id) if row.gateway_account_id is not None else None
    return account.name if account else None


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
    default = accounts.locked_default(session, "share")  # it must stay the default until we commit
    row = IdentityStore(
        name=name, name_key=key, store_type=kind, sms_text=text,
        gateway_account_id=default.id if default else None, link_source="default" if default else None,
        created_by=ctx.actor, updated_by=ctx.actor,
    )
    session.add(row)
    session.flush()
    notice = {} if default else {"notice": NO_DEFAULT}
    audit.record(session, actor=ctx.actor, action="store.create", row=row,
                 after={**audit.snapshot(row), "gateway_account": default.name if default else None, **notice})
    return row


def link(session: Session, ctx: accounts.Context, row: IdentityStore, account: GatewayAccount) -> bool:
    """Link the store to `account` by hand, replacing any earlier link.

    Linking a store to the account it was given automatically as the default pins it there: the
    link becomes manual, which is a change (audited, new version) like any other link.
    """
    if row.gateway_account_id == account.id and row.link_source == "manual":
        return False
    before = {"gateway_account": account_name(session, row), "link_source": row.link_source}
    row.gateway_account_id = account.id
    row.link_source = "manual"
    _touch(row, ctx.actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=ctx.actor, action="store.link", row=row,
                 before=before, after={"gateway_account": account.name, "link_source": "manual"})
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
