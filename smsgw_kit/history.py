"""Keeping Test Connection runs: each run at its own start time, whatever the provider answered.

A run that reached the provider may have sent a message, so its record must never be lost to an odd
reply: values too long for their column are cut with a mark, and characters a database cannot store
(NUL, lone surrogates) are kept as visible escapes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from . import locks
from .diagnostics import ConnectionReport
from .models import ConnectionTestRun, utcnow

CUT_MARK = "…[cut]"
_LIMITS: dict[str, int] = {c.name: length for c in ConnectionTestRun.metadata.tables["connection_test_run"].columns
                            if (length := getattr(c.type, "length", None))}


def storable(text: str) -> str:
    """`text` with NUL and unencodable characters (lone surrogates) shown as escapes."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return safe.replace("\x00", "\\x00")


def fit(text: str | None, limit: int | None) -> str | None:
    """`text` made storable and, when longer than `limit`, cut with a visible mark."""
    if text is None:
        return None
    text = storable(str(text))
    if limit and len(text) > limit:
        return text[: limit - len(CUT_MARK)] + CUT_MARK
    return text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _started(report: ConnectionReport) -> datetime:
    try:
        return datetime.fromisoformat(report.started_at)
    except (TypeError, ValueError):
        return utcnow()


def record(session: Session, runs: list[tuple[int | None, str, ConnectionReport]], *, actor: str) -> None:
    """Add one history row per (account id or None, account name, report) to the caller's transaction."""
    existing = locks.accounts(session, [account_id for account_id, _, _ in runs], "share")
    for account_id, name, report in sorted(runs, key=lambda run: run[0] or 0):
        values = {
            "account_name": name, "gateway_type": report.gateway_type, "phone": report.recipient,
            "outcome": report.outcome, "message_id": report.message_id, "run_by": actor,
        }
        fitted: dict[str, Any] = {k: fit(v, _LIMITS.get(k)) for k, v in values.items()}
        session.add(ConnectionTestRun(
            # deleted while the test ran: keep the history, drop the link
            gateway_account_id=account_id if account_id in existing else None,
            started_at=_started(report), duration_ms=report.duration_ms,
            summary=storable(report.summary), stages=_clean(report.to_dict().get("stages", [])),
            **fitted,
        ))
