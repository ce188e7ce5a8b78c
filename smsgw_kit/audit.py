"""The audit trail: who is acting, and recording each change with secrets masked."""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Set
from typing import Any

from sqlmodel import Session

from .fields import SECRETS
from .models import AuditEvent, GatewayAccount, IdentityStore

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
    data = row.model_dump(exclude=_HIDDEN)
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
