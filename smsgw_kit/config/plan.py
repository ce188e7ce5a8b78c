"""The plan: what applying a document would change, worked out against the database without writing."""

from __future__ import annotations

import copy
import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import pandas as pd
from sqlmodel import Session, select

from .. import accounts, audit, rules
from ..errors import AccountLinked, InvalidInput
from ..gateways import get_gateway_type
from ..models import GatewayAccount, IdentityStore, utcnow
from ..secrets import Keyring, NoKeys
from .document import AccountEntry, Document, StoreEntry, _at, account_fields
from .sections import SECTION_HOOKS

ACCOUNT, STORE, DEFAULT = "account", "identity_store", "default"
# The order apply performs the actions in: what others point at exists before they point at it.
ORDER = [(ACCOUNT, "create"), (ACCOUNT, "modify"), (DEFAULT, "set"), (DEFAULT, "clear"), (STORE, "create"),
         (STORE, "modify"), (STORE, "link"), (STORE, "unlink"), ("*", "*"), (STORE, "delete"), (ACCOUNT, "delete")]
SYMBOL = {"create": "+", "modify": "~", "delete": "-", "link": "~", "unlink": "~", "set": "~", "clear": "~"}


@dataclass
class Change:
    """One change of the plan; `fields` maps each field to (before, after), secrets as set/changed only."""

    kind: str
    action: str
    name: str
    path: str = ""
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    object_id: int | None = None
    version: int | None = None  # the object's version when the plan was made (apply refuses if it moved)
    data: dict[str, Any] = field(default_factory=dict, repr=False)  # what apply hands the operation
    # A copy of `data` as the plan checked it by the operation's rules: apply trusts `data` while it still
    # equals this copy (so 10,000 new accounts are not validated twice), and checks it again otherwise.
    checked: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def describe(self) -> str:
        head = f"{SYMBOL.get(self.action, '~')} {self.action} {self.kind.replace('_', ' ')} {self.name!r}"
        lines = [head] + [f"    {k}: {_show(b)} -> {_show(a)}" if self.action != "create" else f"    {k}: {_show(a)}"
                          for k, (b, a) in self.fields.items()]
        return "\n".join(lines)


def _show(value: Any) -> str:
    return "(none)" if value is None else repr(value)


@dataclass
class State:
    """The end state a plan leads to, by name key: for sections that refer to accounts and stores."""

    accounts: dict[str, str]
    stores: dict[str, str]
    deleted_accounts: dict[str, str]
    default: str | None
    account_ids: dict[str, int | None] = field(default_factory=dict)  # None: created by the plan


@dataclass
class Plan:
    """The changes a document asks for, in the order apply makes them; nothing has been written."""

    changes: list[Change]
    default_before: int | None = None  # the default account's id when the plan was made
    made_at: datetime = field(default_factory=utcnow)
    database: str | None = None  # audit.origin of the database it was made on: its changes name rows there
    applied_at: datetime | None = None  # set once its transaction committed: a plan is applied once

    def __len__(self) -> int:
        return len(self.changes)

    def __repr__(self) -> str:
        return f"<Plan: {self.summary()}>"

    def __str__(self) -> str:
        return self.to_text()

    @property
    def empty(self) -> bool:
        return not self.changes

    def counts(self) -> Counter:
        return Counter(f"{c.kind}.{c.action}" for c in self.changes)

    def summary(self) -> str:
        if self.empty:
            return "no changes"
        return ", ".join(f"{n} {key}" for key, n in sorted(self.counts().items()))

    def to_text(self) -> str:
        """Readable text, one block per change, and a summary line."""
        if self.empty:
            return "No changes: the database already matches the document."
        return "\n".join(c.describe() for c in self.changes) + f"\n\nPlan: {self.summary()}."

    def to_frame(self) -> pd.DataFrame:
        """One row per changed field (one per change without fields): kind, action, name, field, before, after."""
        rows = []
        for c in self.changes:
            fields: list[tuple[str | None, tuple[Any, Any]]] = list(c.fields.items()) or [(None, (None, None))]
            for key, (before, after) in fields:
                rows.append({"kind": c.kind, "action": c.action, "name": c.name, "field": key,
                             "before": before, "after": after, "path": c.path})
        frame = pd.DataFrame(rows, columns=["kind", "action", "name", "field", "before", "after", "path"])
        for col in ("kind", "action", "name", "field", "path"):
            frame[col] = frame[col].astype("string")
        return frame

    def _repr_html_(self) -> str:
        return f"<p>Plan: {self.summary()}.</p>" + self.to_frame().to_html()


# -- Working out the plan --------------------------------------------------------------------------------


@dataclass
class _Now:
    """What the database holds when the plan is made."""

    accounts: list[GatewayAccount]
    stores: list[IdentityStore]

    def __post_init__(self) -> None:
        self.account_by_key = {a.name_key: a for a in self.accounts}
        self.account_by_id = {a.id: a for a in self.accounts}
        self.store_by_key = {s.name_key: s for s in self.stores}
        self.default = next((a for a in self.accounts if a.is_default), None)


def _key(name: str) -> str:
    return rules.clean_name(name)[1]


def _validate(values: dict[str, Any], path: str) -> None:
    try:
        accounts._validate(values)  # the same required-field and proxy rules the operations apply
    except InvalidInput as exc:
        raise _at(path, exc) from None


def _type_url(gateway_type: str) -> str:
    return get_gateway_type(gateway_type).info.default_url


@functools.cache
def _model_defaults() -> tuple[tuple[str, Any], ...]:
    """The account model's plain defaults (the columns a new account may leave out), worked out once."""
    return tuple((n, f.default) for n, f in GatewayAccount.model_fields.items() if not f.is_required())


def _secret(entry: AccountEntry, name: str, word: str) -> str:
    """How a secret's change is shown: never its value, but where it comes from, for the reviewer to check
    (a document from elsewhere could point `file:` at any file this user can read)."""
    source = entry.sources.get(name)
    return f"{word} (from {source})" if source else word


def _create_account(entry: AccountEntry) -> Change:
    values = {k: v for k, v in entry.given.items() if k != "name_key"}
    if "gateway_type" not in values:
        raise InvalidInput(f"{entry.path}.gateway_type", "is required for a new account")
    values["gateway_url"] = values.get("gateway_url") or _type_url(values["gateway_type"])
    secrets = {k: v for k, v in entry.secrets.items() if v}
    _validate({**dict(_model_defaults()), **values, **secrets}, entry.path)
    shown = {k: (None, v) for k, v in values.items() if k != "name"} | {k: (None, _secret(entry, k, "set"))
                                                                         for k in secrets}
    fields = {**values, **secrets}
    return Change(ACCOUNT, "create", values["name"], entry.path, shown, data={"fields": fields},
                  checked={"fields": copy.deepcopy(fields) if fields.get("options") else dict(fields)})


def _modify_account(entry: AccountEntry, row: GatewayAccount, keyring: Keyring | NoKeys) -> Change | None:
    fields = account_fields()
    given = {k: v for k, v in entry.given.items() if k != "name_key"}
    new_type = given.get("gateway_type", row.gateway_type)
    if not given.get("gateway_url", "x") or (new_type != row.gateway_type and "gateway_url" not in given):
        given["gateway_url"] = _type_url(new_type)  # as the operation does: a new type brings its URL
    changed = {k: v for k, v in given.items() if v != getattr(row, k)}
    shown = {k: (getattr(row, k), v) for k, v in changed.items()}
    clear, kept = [], {}
    for name, value in entry.secrets.items():
        stored = keyring.decrypt(getattr(row, fields.secret_columns[name]))
        kept[name] = value if value is not None else None
        if value is None and stored:
            clear.append(name)
            shown[name] = ("set", None)
        elif value is not None and value != stored:
            changed[name] = value
            shown[name] = ("set", _secret(entry, name, "changed")) if stored else (None, _secret(entry, name, "set"))
    if not shown:
        return None
    stored_secrets = {n: keyring.decrypt(getattr(row, c)) for n, c in fields.secret_columns.items() if n not in kept}
    _validate({**row.model_dump(), **changed, **stored_secrets, **kept}, entry.path)
    return Change(ACCOUNT, "modify", row.name, entry.path, shown, row.id, entry.version or row.version,
                  data={"set": changed, "clear": tuple(clear)})


def _plan_accounts(doc: Document, now: _Now, keyring: Keyring | NoKeys, prune: bool) -> tuple[list[Change], State]:
    from ..errors import StaleEdit

    changes: list[Change] = []
    final = {a.name_key: a.name for a in now.accounts}
    ids: dict[str, int | None] = {a.name_key: a.id for a in now.accounts}
    matched: set[int | None] = set()
    for entry in doc.accounts or []:
        row = now.account_by_id.get(entry.id) if entry.id is not None else now.account_by_key.get(entry.given["name_key"])
        if entry.id is not None and row is None:
            raise StaleEdit(accounts.KIND, entry.given["name"], entry.version, None)
        if row is None:
            changes.append(_create_account(entry))
            final[entry.given["name_key"]] = entry.given["name"]
            ids[entry.given["name_key"]] = None
            continue
        if entry.version is not None and entry.version != row.version:
            raise StaleEdit(accounts.KIND, row.name, entry.version, row.version)
        matched.add(row.id)
        change = _modify_account(entry, row, keyring)
        if change:
            changes.append(change)
            if "name" in change.fields:
                final.pop(row.name_key, None)
                final[entry.given["name_key"]] = entry.given["name"]
                ids[entry.given["name_key"]] = ids.pop(row.name_key)
    deleted = {}
    if doc.accounts is not None and prune:
        for row in now.accounts:
            if row.id not in matched:
                changes.append(Change(ACCOUNT, "delete", row.name, "accounts", object_id=row.id, version=row.version))
                final.pop(row.name_key, None)
                ids.pop(row.name_key, None)
                deleted[row.name_key] = row.name
    return changes, State(final, {}, deleted, now.default.name if now.default else None, ids)


def _plan_default(doc: Document, now: _Now, state: State) -> list[Change]:
    if not doc.manages_default:
        if now.default is not None and now.default.name_key in state.deleted_accounts:
            state.default = None
        return []
    old = now.default.name if now.default else None
    if doc.default is None:
        state.default = None
        gone = now.default is None or now.default.name_key in state.deleted_accounts
        return [] if gone else [Change(DEFAULT, "clear", old or "", "default", {"default": (old, None)})]
    key = _key(doc.default)
    if key not in state.accounts:
        raise InvalidInput("default", f"names no account: {doc.default!r}",
                           allowed="the name of an account the document keeps or creates")
    name = state.accounts[key]
    state.default = name
    if now.default is not None and state.account_ids[key] == now.default.id:
        return []
    return [Change(DEFAULT, "set", name, "default", {"default": (old, name)})]


def _store_link(entry: StoreEntry, row: IdentityStore | None, now: _Now, state: State) -> tuple[str | None, bool]:
    """The account the store ends up with, and whether the document states it."""
    if "gateway_account" not in entry.given:
        if row is None:
            return state.default, False
        current = now.account_by_id.get(row.gateway_account_id)
        return (current.name if current else None), False
    wanted = entry.given["gateway_account"]
    if wanted is None:
        return None, True
    key = _key(wanted)
    if key in state.accounts:
        return state.accounts[key], True
    if key in state.deleted_accounts:
        raise AccountLinked(state.deleted_accounts[key], [entry.given["name"]])
    raise InvalidInput(f"{entry.path}.gateway_account", f"names no account: {wanted!r}",
                       allowed="an account the document keeps or creates, or null")


def _plan_store(entry: StoreEntry, now: _Now, state: State) -> list[Change]:
    name = entry.given["name"]
    row = now.store_by_key.get(_key(name))
    target, stated = _store_link(entry, row, now, state)
    if row is None:
        data = {"name": name, "store_type": entry.given.get("store_type", "Active Directory"),
                "sms_text": entry.given.get("sms_text", rules.DEFAULT_SMS_TEXT), "gateway_account": target,
                "link_stated": stated}
        shown = {k: (None, data[k]) for k in ("store_type", "sms_text", "gateway_account")}
        return [Change(STORE, "create", name, entry.path, shown, data=data)]
    out = []
    if entry.given.get("store_type", row.store_type) != row.store_type:
        raise InvalidInput(f"{entry.path}.store_type", "cannot be changed on an existing identity store",
                           allowed=f"{row.store_type!r}, or delete the store and create it again")
    if entry.given.get("sms_text", row.sms_text) != row.sms_text:
        out.append(Change(STORE, "modify", row.name, entry.path, {"sms_text": (row.sms_text, entry.given["sms_text"])},
                          row.id, row.version, data={"sms_text": entry.given["sms_text"]}))
    current = now.account_by_id.get(row.gateway_account_id)
    target_id = state.account_ids.get(_key(target)) if target else None
    current_id = current.id if current is not None else None
    if stated and ((target is None) != (current is None) or (target is not None and target_id != current_id)):
        action = "unlink" if target is None else "link"
        out.append(Change(STORE, action, row.name, entry.path,
                          {"gateway_account": (current.name if current else None, target)},
                          row.id, row.version, data={"account": target}))
    return out


def _plan_stores(doc: Document, now: _Now, state: State) -> list[Change]:
    state.stores = {s.name_key: s.name for s in now.stores}
    if doc.identity_stores is None:
        return []
    changes: list[Change] = []
    kept: set[str] = set()
    for entry in doc.identity_stores:
        kept.add(_key(entry.given["name"]))
        changes += _plan_store(entry, now, state)
        state.stores[_key(entry.given["name"])] = entry.given["name"]
    for row in now.stores:
        if row.name_key not in kept:
            changes.append(Change(STORE, "delete", row.name, "identity_stores", object_id=row.id, version=row.version))
            state.stores.pop(row.name_key, None)
    return changes


def _check_deletes(session: Session, changes: list[Change], now: _Now, doc: Document, state: State) -> None:
    """The delete guard, for the plan as a whole: every store of a deleted account moves, goes, or is unlinked,
    and no section the document leaves out keeps it (as a fallback or route)."""
    deleting = [c for c in changes if c.kind == ACCOUNT and c.action == "delete"]
    if not deleting:
        return
    held: dict[int, list[tuple[str, str]]] = {}
    ids = [cast(int, c.object_id) for c in deleting]  # deletes are of stored accounts
    for key, section in SECTION_HOOKS.items():
        holds = getattr(section, "holds", None)
        if key not in doc.extra and holds is not None:
            for account_id, uses in holds(session, ids, state).items():
                held.setdefault(account_id, []).extend(uses)
    settled = {c.object_id for c in changes if c.kind == STORE and c.action in ("link", "unlink", "delete")}
    for c in deleting:
        left = [(s.name, "linked") for s in now.stores if s.gateway_account_id == c.object_id and s.id not in settled]
        if left or c.object_id in held:
            raise AccountLinked(c.name, [], uses=left + held.get(cast(int, c.object_id), []))


def _ordered(changes: list[Change]) -> list[Change]:
    rank = {pair: i for i, pair in enumerate(ORDER)}
    other = rank[("*", "*")]
    return sorted(changes, key=lambda c: rank.get((c.kind, c.action), other))


def make_plan(session: Session, keyring: Keyring | NoKeys, doc: Document, *, prune: bool = True) -> Plan:
    """Compare the checked document with the database; `prune` deletes what a managed section leaves out."""
    now = _Now(list(session.exec(select(GatewayAccount)).all()), list(session.exec(select(IdentityStore)).all()))
    changes, state = _plan_accounts(doc, now, keyring, prune)
    changes += _plan_default(doc, now, state)
    changes += _plan_stores(doc, now, state)
    for key, section in SECTION_HOOKS.items():
        if key in doc.extra:
            changes += section.plan(session, doc.extra[key], state)
    _check_deletes(session, changes, now, doc, state)
    return Plan(_ordered(changes), default_before=now.default.id if now.default else None,
                database=audit.origin(session.connection()))
