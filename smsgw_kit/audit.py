"""The audit trail: who is acting, and recording each change with secrets masked."""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Set
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from .fields import SECRETS
from .models import AuditEvent, GatewayAccount, IdentityStore, utcnow

log = logging.getLogger("smsgw_kit.audit")
_HIDDEN = {"name_key", "version", "created_at", "created_by", "updated_at", "updated_by", "id"}


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
    for shown, column in SECRETS.items():
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


def record(session: Session, *, actor: str, action: str, row: GatewayAccount | IdentityStore | None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           object_kind: str | None = None, object_name: str | None = None) -> None:
    """Add one audit event to the caller's transaction."""
    kind = object_kind or ("account" if isinstance(row, GatewayAccount) else "identity_store")
    log.info("%s %s %r by %s", action, kind, object_name or getattr(row, "name", None), actor)
    session.add(AuditEvent(
        actor=actor, action=action, object_kind=kind,
        object_id=row.id if row is not None else None,
        object_name=object_name or (row.name if row is not None else None),
        before=before, after=after,
    ))


def record_many(session: Session, *, actor: str, action: str, object_kind: str,
                events: list[tuple[int | None, str | None, dict[str, Any] | None, dict[str, Any] | None]]) -> None:
    """Add many events of one action, each (object id, object name, before, after), in one batched INSERT."""
    session.flush()  # events recorded one by one earlier in the transaction keep their order
    for _, name, _, _ in events:
        log.info("%s %s %r by %s", action, object_kind, name, actor)
    rows = [{"at": utcnow(), "actor": actor, "action": action, "object_kind": object_kind, "object_id": object_id,
             "object_name": name, "before": before, "after": after} for object_id, name, before, after in events]
    if rows:
        session.execute(sa.insert(AuditEvent.__table__), rows)
