"""Applying a plan inside the caller's one transaction, through the same operations (and audit) as by hand."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import Session, select

from .. import accounts, audit, collector, locks, rules, stores
from ..accounts import Context
from ..errors import InvalidInput, StaleEdit
from ..models import GatewayAccount, IdentityStore
from .document import _at
from .plan import ACCOUNT, DEFAULT, STORE, Change, Plan
from .sections import SECTION_HOOKS

MODELS: dict[str, tuple[Any, str]] = {ACCOUNT: (GatewayAccount, accounts.KIND), STORE: (IdentityStore, stores.KIND)}


def _stale(kind: str, name: str, read: int | None, now: int | None, detail: str | None = None) -> StaleEdit:
    exc = StaleEdit(kind, name, read, now)
    if detail:
        exc.args = (f"{detail} Make the plan again and review it.",)
    return exc


def _lock_touched(session: Session, plan: Plan) -> dict[tuple[str, int], Any]:
    """Every existing row the plan changes, locked, its version checked against the plan's."""
    rows: dict[tuple[str, int], Any] = {}
    for kind, (model, label) in MODELS.items():
        wanted = {c.object_id: c for c in plan.changes if c.kind == kind and c.object_id is not None}
        if not wanted:
            continue
        found: dict[int, Any] = {}
        for chunk in _chunks(sorted(wanted), 500):  # ascending ids, accounts before stores: the lock order
            query = (select(model).where(model.id.in_(chunk)).order_by(model.id).with_for_update()
                     .execution_options(populate_existing=True))
            found.update((r.id, r) for r in session.exec(query).all())
        for object_id, change in wanted.items():
            row = found.get(object_id)
            if row is None or row.version != change.version:
                raise _stale(label, change.name, change.version, row.version if row else None,
                             None if row else f"The {label} {change.name!r} was deleted by someone else after the plan was made.")
            rows[(kind, object_id)] = row
    return rows


def _check_new_names(session: Session, plan: Plan) -> None:
    """Nobody created, meanwhile, an account or store the plan creates."""
    for kind, (model, label) in MODELS.items():
        keys = {rules.clean_name(c.name)[1]: c for c in plan.changes if c.kind == kind and c.action == "create"}
        for chunk in _chunks(list(keys), 500):
            for row in session.exec(select(model).where(model.name_key.in_(chunk))).all():
                raise _stale(label, row.name, None, row.version,
                             f"The {label} {row.name!r} was created by someone else after the plan was made.")


def _check_default(session: Session, plan: Plan) -> None:
    if not any(c.kind == DEFAULT for c in plan.changes):
        return
    current = accounts.current_default(session)
    if (current.id if current else None) != plan.default_before:
        raise _stale("default account", current.name if current else "(none)", None, None,
                     "The default account was changed by someone else after the plan was made.")


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _account(session: Session, name: str, made: dict[str, GatewayAccount]) -> GatewayAccount:
    return made.get(name) or accounts.find(session, name)


def _apply_one(session: Session, ctx: Context, change: Change, rows: dict, made: dict[str, GatewayAccount]) -> None:
    row: Any = rows.get((change.kind, change.object_id))
    match change.kind, change.action:
        case ("account", "modify"):
            accounts.modify(session, ctx, row, dict(change.data["set"]), clear=change.data["clear"])
        case ("account", "delete"):
            accounts.delete(session, ctx, row)
        case ("default", "set"):
            accounts.set_default(session, ctx, _account(session, change.name, made))
        case ("default", "clear"):
            accounts.clear_default(session, ctx)
        case ("identity_store", "create"):
            _create_store(session, ctx, change.data, made)
        case ("identity_store", "modify"):
            stores.set_sms_text(session, ctx, row, change.data["sms_text"])
        case ("identity_store", "link"):
            stores.link(session, ctx, row, _account(session, change.data["account"], made))
        case ("identity_store", "unlink"):
            stores.unlink(session, ctx, row)
        case ("identity_store", "delete"):
            stores.delete(session, ctx, row)
        case _:
            SECTION_HOOKS[change.kind].apply(session, ctx, change)


def _create_store(session: Session, ctx: Context, data: dict[str, Any], made: dict[str, GatewayAccount]) -> None:
    """Created as by hand (linked to the default), then linked as the document says if that differs."""
    row = stores.create(session, ctx, name=data["name"], store_type=data["store_type"], sms_text=data["sms_text"])
    if not data["link_stated"]:
        return
    if data["gateway_account"] is None:
        stores.unlink(session, ctx, row)
        return
    target = _account(session, data["gateway_account"], made)
    if row.gateway_account_id != target.id:
        stores.link(session, ctx, row, target)


def apply_plan(session: Session, ctx: Context, plan: Plan) -> Counter:
    """Every change of the plan, or (on any refusal) none: the caller's transaction rolls back."""
    with collector.paused():  # 10,000 new accounts: many objects, no cycles to find
        return _apply(session, ctx, plan)


def _check_database(session: Session, plan: Plan) -> None:
    """The plan was made on this database: its changes name rows by id, which mean other rows elsewhere."""
    here = audit.origin(session.connection())
    if plan.database is not None and plan.database != here:
        raise InvalidInput("plan", f"was made on another database (audit trail starting {plan.database[:16]}; "
                           f"this one's {'is empty' if here is None else 'starts ' + here[:16]}), and applying "
                           "it here would change whichever rows have the same ids",
                           allowed="a plan made on this database: admin.plan(document) with this admin")


def _apply(session: Session, ctx: Context, plan: Plan) -> Counter:
    if plan.applied_at is not None:  # else its own changes would read as another operator's
        raise InvalidInput("plan", f"was applied already, at {plan.applied_at:%Y-%m-%d %H:%M:%S} UTC",
                           allowed="a new plan for further changes: admin.plan(document)")
    _check_database(session, plan)  # a plan made on an empty database only creates: it may go anywhere
    locks.take_default(session)  # the default lock is always taken before any row lock
    rows = _lock_touched(session, plan)
    _check_new_names(session, plan)
    _check_default(session, plan)
    made: dict[str, GatewayAccount] = {}
    creates = [c for c in plan.changes if c.kind == ACCOUNT and c.action == "create"]
    if creates:  # in one batch: 10,000 new accounts cost a few statements, each still checked and audited
        checked = all(c.checked is not None and c.data == c.checked for c in creates)  # by the plan, unchanged
        accounts.create_many(session, ctx, [dict(c.data["fields"]) for c in creates], checked=checked)
    for change in plan.changes:
        if change.kind == ACCOUNT and change.action == "create":
            continue
        try:
            _apply_one(session, ctx, change, rows, made)
        except InvalidInput as exc:
            if type(exc) is not InvalidInput or not change.path:
                raise
            raise _at(change.path, exc) from None
    session.flush()
    return plan.counts()
