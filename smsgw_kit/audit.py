"""The audit trail: who is acting, recording each change (secrets masked) into a hash chain, and checking it."""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import math
import os
from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from . import bulk
from .fields import SECRETS
from .models import AuditEvent, GatewayAccount, IdentityStore, utcnow

log = logging.getLogger("smsgw_kit.audit")
# Encrypted column -> what the audit shows in its place ("set" or None): the account's secret fields,
# and the gateway's secret options.
MASKED_SECRETS = {**{column: name for name, column in SECRETS.items()}, "options_enc": "secret_options"}
_HIDDEN = {"name_key", "version", "created_at", "created_by", "updated_at", "updated_by", "id"}
GENESIS = "0" * 64  # the prev_hash of the first event
CHAIN_LOCK = 0x5_3_6D_73_61  # serialises appends to the chain on PostgreSQL (SQLite's writer lock already does)
EVENTS = AuditEvent.metadata.tables["audit_event"]
# One encoder for every hash (json.dumps with options would build a new one per event); stateless, so shared.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
CHAINED = ("at", "actor", "db_user", "action", "object_kind", "object_id", "object_name", "before", "after")


def current_actor() -> str:
    """The JupyterHub user if this runs under JupyterHub, else the operating-system user."""
    user = os.environ.get("JUPYTERHUB_USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (e.g. a container without a passwd entry)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def snapshot(row: GatewayAccount | IdentityStore) -> dict[str, Any]:
    """The row's auditable values; encrypted secrets appear only as 'set' or None."""
    return snapshot_values(row.model_dump(exclude=_HIDDEN))


def snapshot_values(values: dict[str, Any]) -> dict[str, Any]:
    """`snapshot` of a row given as a dict of its columns (rows inserted in a batch)."""
    data = {k: v for k, v in values.items() if k not in _HIDDEN}
    for column, shown in MASKED_SECRETS.items():
        if column in data:
            data[shown] = "set" if data.pop(column) else None
    return data


def changes(before: dict[str, Any], after: dict[str, Any], *, rotated: Set[str] = frozenset()) -> tuple[dict, dict]:
    """Only the values that differ; a replaced secret shows as 'set' -> 'changed'."""
    old = {k: v for k, v in before.items() if after.get(k) != v}
    new = {k: after.get(k) for k in old}
    for name in rotated:
        if name not in old:
            old[name], new[name] = before.get(name), "changed"
    return old, new


def _as_stored(value: Any) -> Any:
    """`value` as the database's JSON column hands it back, so the hash covers exactly that."""
    if value is None or _json_native(value):
        return value  # the JSON round trip would give an equal copy: skip it (10,000-event batches)
    return json.loads(json.dumps(value, default=str))


def _json_native(value: Any) -> bool:
    """True for dicts with text keys, lists, text, finite numbers, booleans and None, all the way down."""
    kind = type(value)
    if kind is dict:
        # scalars checked inline, not by a call each: this runs for every event of a batch
        return all(type(k) is str and (type(v) in _NATIVE or _json_native(v)) for k, v in value.items())
    if kind is list:
        return all(type(v) in _NATIVE or _json_native(v) for v in value)
    return kind in _NATIVE or (kind is float and math.isfinite(value))


_NATIVE = frozenset({str, int, bool, type(None)})


def _canonical_time(value: datetime) -> str:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def event_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and this event's content, in one canonical JSON form."""
    data: dict[str, Any] = {k: content.get(k) for k in CHAINED}
    data["at"] = _canonical_time(data["at"])
    for k in ("before", "after"):  # stored JSON may come back as text (SQLite) or parsed
        if isinstance(data[k], str):
            data[k] = json.loads(data[k])
    return hashlib.sha256(f"{prev_hash}\n{_CANONICAL.encode(data)}".encode()).hexdigest()


def lock_chain(conn: sa.Connection) -> None:
    """Hold the chain head until commit (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers).

    Writers take it when their transaction starts, before any row lock, so that appending the audit
    event at the end never waits for a lock held by a transaction that waits for them.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(CHAIN_LOCK)))


def origin(conn: sa.Connection) -> str | None:
    """This database's identity: the hash of its audit trail's first event (None before its first change).

    The trail is append-only, so the first event never changes; a copy of the database keeps it, and
    no other database has it (the hash covers the event's time, actor and object).
    """
    e = EVENTS.c
    return conn.execute(sa.select(e.hash).order_by(e.id).limit(1)).scalar()


def _head(session: Session) -> tuple[str, str | None]:
    """The chain's last hash and the database's session user, read once per transaction under the lock."""
    info = session.info
    if "audit_head" not in info:
        conn = session.connection()
        db_user = None
        lock_chain(conn)
        if conn.dialect.name == "postgresql":
            db_user = conn.execute(sa.text("SELECT session_user")).scalar()
        e = EVENTS.c
        last = conn.execute(sa.select(e.hash).order_by(e.id.desc()).limit(1)).scalar()
        info["audit_head"], info["audit_db_user"] = last or GENESIS, db_user
    return info["audit_head"], info["audit_db_user"]


def record(session: Session, *, actor: str, action: str, row: GatewayAccount | IdentityStore | None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           object_kind: str | None = None, object_name: str | None = None) -> None:
    """Add one audit event, chained to the previous one, to the caller's transaction."""
    kind = object_kind or ("account" if isinstance(row, GatewayAccount) else "identity_store")
    log.info("%s %s %r by %s", action, kind, object_name or getattr(row, "name", None), actor)
    event = AuditEvent(
        actor=actor, action=action, object_kind=kind,
        object_id=row.id if row is not None else None,
        object_name=object_name or (row.name if row is not None else None),
        before=before, after=after,
    )
    prev, event.db_user = _head(session)
    # JSON round-trip first so the hash covers exactly what the database will hand back.
    event.before = json.loads(json.dumps(before, default=str)) if before is not None else None
    event.after = json.loads(json.dumps(after, default=str)) if after is not None else None
    event.prev_hash, event.hash = prev, event_hash(prev, event.model_dump())
    session.info["audit_head"] = event.hash
    session.add(event)  # events are inserted in the order they are added, so ids follow the chain


def record_many(session: Session, *, actor: str, action: str, object_kind: str,
                events: list[tuple[int | None, str | None, dict[str, Any] | None, dict[str, Any] | None]]) -> None:
    """Add many events of one action, each (object id, object name, before, after), chained, in one batched INSERT."""
    session.flush()  # events recorded one by one earlier in the transaction keep their order
    prev, db_user = _head(session)
    rows = []
    for object_id, name, before, after in events:
        log.info("%s %s %r by %s", action, object_kind, name, actor)
        row: dict[str, Any] = {
            "at": utcnow(), "actor": actor, "db_user": db_user, "action": action, "object_kind": object_kind,
            "object_id": object_id, "object_name": name, "before": _as_stored(before), "after": _as_stored(after)}
        row["prev_hash"], row["hash"] = prev, event_hash(prev, row)
        prev = row["hash"]
        rows.append(row)
    if rows:
        bulk.insert_rows(session, EVENTS, rows)  # inserted in order: ids follow the chain
        session.info["audit_head"] = prev


@dataclass(frozen=True)
class AuditCheck:
    """The result of checking the audit chain: intact or the first event that breaks it, and why."""

    intact: bool
    events: int
    head: str | None
    event_id: int | None = None
    problem: str = ""

    def __bool__(self) -> bool:
        return self.intact

    def __str__(self) -> str:
        if self.intact:
            return f"The audit trail is intact: {self.events} event(s), chain head {(self.head or GENESIS)[:16]}."
        return f"The audit trail was tampered with: {self.problem}"


def verify(conn: sa.Connection) -> AuditCheck:
    """Walk the chain in id order; name the first altered, removed or reordered event."""
    e = EVENTS.c
    rows = conn.execute(sa.select(e.id, e.prev_hash, e.hash, *(e[k] for k in CHAINED)).order_by(e.id)).mappings().all()
    by_hash = {r["hash"]: r["id"] for r in rows}
    prev, count = GENESIS, 0
    for r in rows:
        label = f"event #{r['id']} ({r['action']} {r['object_name'] or r['object_kind']!s} at {r['at']:%Y-%m-%d %H:%M:%S})"
        if r["hash"] is None or event_hash(r["prev_hash"] or "", dict(r)) != r["hash"]:
            return AuditCheck(False, count, prev, r["id"], f"{label} was altered: its content no longer matches its hash.")
        if r["prev_hash"] != prev:
            if r["prev_hash"] in by_hash:
                return AuditCheck(False, count, prev, r["id"],
                                  f"{label} is out of order: it follows event #{by_hash[r['prev_hash']]}.")
            where = "before it" if prev != GENESIS else "at the start of the trail"
            return AuditCheck(False, count, prev, r["id"], f"an event {where} was removed: {label} "
                              "follows an event that is no longer in the trail.")
        prev, count = r["hash"], count + 1
    return AuditCheck(True, count, None if prev == GENESIS else prev)


def rechain(conn: sa.Connection) -> int:
    """Recompute every event's hashes in id order (migrations, back-dated demo data); the count.

    Anyone with write access to the table could do this: the chain proves who did not tamper
    together with the PostgreSQL roles (operators cannot update the trail) and a chain head kept elsewhere.
    """
    e = EVENTS.c
    rows = conn.execute(sa.select(e.id, *(e[k] for k in CHAINED)).order_by(e.id)).mappings().all()
    prev = GENESIS
    for row in rows:
        digest = event_hash(prev, dict(row))
        conn.execute(sa.update(EVENTS).where(e.id == row["id"]).values(prev_hash=prev, hash=digest))
        prev = digest
    return len(rows)
