"""The delivery log: each send_code attempt kept (numbers masked, codes never), its frame, status and purge."""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from . import accounts, audit, routing, rules
from .db import Database
from .errors import InvalidInput, NotFound
from .gateways import GatewaySettings, get_gateway_type
from .gateways.delivery import DeliveryStatus, check_delivery
from .models import DeliveryAttempt, GatewayAccount, IdentityStore, utcnow

D = DeliveryAttempt.metadata.tables["delivery_attempt"].c
COLUMNS = ("at", "send_id", "attempt", "store_name", "phone_masked", "country", "account_name", "gateway_type",
           "role", "stage", "outcome", "reason", "duration_ms", "message_id", "delivery_status",
           "delivery_reason", "status_checked_at", "run_by")


def _still_there(table: sa.Table, ref: str) -> sa.ScalarSelect:
    """The row's id if it still exists, else NULL: a store or account deleted while the code was being sent
    leaves the log entry without its link instead of losing it."""
    return sa.select(table.c.id).where(table.c.id == sa.bindparam(ref, type_=sa.Integer)).scalar_subquery()


# RETURNING makes SQLAlchemy send any number of rows as one multi-row INSERT ("insertmanyvalues"): one
# statement, so one round trip and atomic on its own, with no BEGIN and COMMIT around it.
_INSERT = sa.insert(DeliveryAttempt.metadata.tables["delivery_attempt"]).values(
    identity_store_id=_still_there(IdentityStore.metadata.tables["identity_store"], "store_ref"),
    gateway_account_id=_still_there(GatewayAccount.metadata.tables["gateway_account"], "account_ref"),
).returning(D.id)
TRIES = 3
LIMIT_MAX = 100_000  # rows a frame of the log holds at most
HOURS_MAX = 24 * 3650
log = logging.getLogger("smsgw_kit.deliveries")


class Backlog:
    """Log rows a failed write left in memory, written ahead of the next send's; bounded and thread-safe.

    A send that went out is never undone by a log failure: its report is returned (saying the log could
    not be written) and its rows wait here. Past LIMIT rows the oldest are dropped, and counted.
    """

    LIMIT = 10_000

    def __init__(self) -> None:
        self._rows: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._rows)

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = list(self._rows)
            self._rows.clear()
        return rows

    def put_back(self, rows: list[dict[str, Any]]) -> None:
        with self._lock:
            self._rows.extendleft(reversed(rows))
            while len(self._rows) > self.LIMIT:
                self._rows.popleft()  # the oldest: the newest say most about what is failing now
                self.dropped += 1

    def left_behind(self) -> None:
        """Say, as the admin goes away, how many rows never reached the log."""
        if self._rows or self.dropped:
            log.warning("%d delivery log row(s) were never written (the database refused them), %d dropped",
                        len(self._rows), self.dropped)


def rows_of(report: routing.DeliveryReport, *, store_id: int | None, actor: str) -> list[dict[str, Any]]:
    """The log rows of `report`: one per attempt, the number masked, the code never."""
    return [dict(send_id=report.send_id, attempt=a.position, at=datetime.fromisoformat(a.at), store_ref=store_id,
                 store_name=report.store, account_ref=a.account_id, account_name=a.account,
                 gateway_type=a.gateway_type, role=a.role, phone_masked=report.phone, country=report.country[:8],
                 stage=a.stage, outcome=a.outcome, reason=a.reason, duration_ms=a.duration_ms,
                 message_id=a.message_id, delivery_status="pending" if a.outcome == "sent" else None, run_by=actor)
            for a in report.attempts]


def record(db: Database, report: routing.DeliveryReport, *, store_id: int | None, actor: str,
           backlog: Backlog) -> str | None:
    """Keep every attempt of `report` (after any rows `backlog` holds), committed on return; None when written.

    The code has been sent (or tried) by now, so nothing here raises: when the write fails, the rows go
    to `backlog`, written by the next send or look at the log, and the reason is returned for the report.
    """
    return flush(db, backlog, rows_of(report, store_id=store_id, actor=actor))


def flush(db: Database, backlog: Backlog, rows: list[dict[str, Any]] | None = None) -> str | None:
    """Write the rows `backlog` holds, then `rows`, in one go; on failure keep them all in `backlog` and say why."""
    waiting = backlog.take()
    everything = waiting + (rows or [])
    if not everything:
        return None
    try:
        _write(db, everything, autocommit=not waiting and _one_statement(db, len(everything)))
    except Exception as exc:  # noqa: BLE001 - after a send, a log failure is reported, never raised
        backlog.put_back(everything)
        reason = _reason(db, exc)
        log.warning("the delivery log could not be written, %d row(s) kept in memory for the next send: %s",
                    len(backlog), reason)
        return reason
    if waiting:
        log.info("the delivery log caught up: %d row(s) kept in memory are written", len(waiting))
    return None


def _one_statement(db: Database, count: int) -> bool:
    """True when SQLAlchemy sends `count` rows as one multi-row INSERT on this database."""
    dialect = db.engine.dialect
    return bool(dialect.insert_executemany_returning) and count <= dialect.insertmanyvalues_page_size


def _reason(db: Database, exc: Exception) -> str:
    """Why the write failed, in one line (a database error's SQL and parameters left out)."""
    found = db.translated(exc)
    if found is not exc:
        return str(found)
    cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0]}" if text else type(cause).__name__


def _write(db: Database, rows: list[dict[str, Any]], *, autocommit: bool) -> None:
    """One multi-row INSERT (its own transaction with `autocommit`: a send's few rows); a backlog, which may
    be more than one statement's worth, in a transaction."""
    for attempt in range(1, TRIES + 1):
        try:
            with db.writing(autocommit=autocommit) as conn:
                conn.execute(_INSERT, rows).all()
            return
        except sa.exc.IntegrityError:
            # PostgreSQL: the store or account was deleted between the insert's read and its foreign key
            # check; the next try sees it gone and clears the link. The send must not go unlogged.
            if attempt == TRIES:
                raise


def frame(db: Database, *, store: Any = None, since: Any = None, outcome: Any = None,
          limit: Any = 1000) -> pd.DataFrame:
    """The newest attempts first; phone numbers show only their calling code and last 4 digits."""
    store, outcome = rules.clean_text(store, "store"), rules.clean_text(outcome, "outcome")
    since = rules.clean_moment(since, "since")
    limit = rules.clean_whole(limit, "limit", 1, LIMIT_MAX)
    query = sa.select(*(D[c] for c in COLUMNS)).order_by(D.at.desc(), D.id.desc()).limit(limit)
    if store:
        query = query.where(sa.func.lower(D.store_name) == store.strip().lower())
    if since is not None:
        query = query.where(D.at >= since)
    if outcome:
        query = query.where(D.outcome == outcome)
    with db.reading() as conn:
        data = pd.read_sql(query, conn)
    for column in ("at", "status_checked_at"):
        data[column] = pd.to_datetime(data[column], utc=True, format="mixed").dt.as_unit("us")
    for column in ("attempt",):
        data[column] = data[column].astype("Int64")
    data["duration_ms"] = data["duration_ms"].astype("Float64")
    for column in COLUMNS:
        if column not in ("at", "status_checked_at", "attempt", "duration_ms"):
            data[column] = data[column].astype("string")
    return data


def purge(session: Session, ctx: accounts.Context, *, older_than_days: int | None = None) -> int:
    """Delete attempts older than the retention (or `older_than_days`); returns how many were deleted."""
    days = older_than_days if older_than_days is not None else routing.settings(session).retention_days
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidInput("older_than_days", f"{days!r} is not allowed", allowed="0 or more days")
    cutoff = utcnow() - timedelta(days=days)
    count = session.exec(sa.delete(DeliveryAttempt).where(col(DeliveryAttempt.at) < cutoff)).rowcount
    audit.record(session, actor=ctx.actor, action="deliveries.purge", row=None, object_kind="delivery_log",
                 object_name="delivery_attempt", after={"older_than_days": days, "deleted": count})
    return count


@dataclass(frozen=True)
class StatusQuery:
    """What asking a provider about one send needs, read before the session closes."""

    send_id: str
    message_id: str | None
    outcome: str
    gateway_type: str
    settings: GatewaySettings | None = field(repr=False)


def status_query(session: Session, ref: Any, keyring: Any) -> StatusQuery:
    """The last attempt of the send_code call `ref` (a DeliveryReport or its send_id), ready to ask about."""
    send_id = getattr(ref, "send_id", ref)
    if not isinstance(send_id, str):
        raise InvalidInput("report", "must be a DeliveryReport or its send_id")
    row = session.exec(select(DeliveryAttempt).where(DeliveryAttempt.send_id == send_id)
                       .order_by(col(DeliveryAttempt.attempt).desc())).first()
    if row is None:
        raise NotFound("delivery", send_id)
    account = session.get(GatewayAccount, row.gateway_account_id) if row.gateway_account_id else None
    settings = accounts.settings_of(account, keyring) if account else None
    return StatusQuery(send_id, row.message_id, row.outcome, row.gateway_type, settings)


def ask_provider(query: StatusQuery) -> DeliveryStatus:
    """The provider's word on the send (network only, no session held)."""
    if query.outcome == "not_sent":
        return DeliveryStatus(status="unknown", reason="the code was not sent")
    if query.outcome == "unknown" and not query.message_id:
        return DeliveryStatus(status="unknown", reason="the send timed out or its reply was unreadable, so the "
                                                       "provider gave no message id to ask about")
    if query.settings is None:
        return DeliveryStatus(status="unknown", reason="the account has been deleted")
    with get_gateway_type(query.gateway_type)(query.settings) as gateway:
        return check_delivery(gateway, query.message_id)


def keep_status(session: Session, message_id: str | None, status: DeliveryStatus) -> None:
    """Store what the provider said on the attempt, and on any other logged message it mentioned."""
    now = utcnow()
    updates = {**status.others, **({message_id: status} if message_id else {})}
    for mid, found in updates.items():
        if found.status == "unknown":
            continue
        for row in session.exec(select(DeliveryAttempt).where(DeliveryAttempt.message_id == mid)).all():
            row.delivery_status, row.delivery_reason, row.status_checked_at = found.status, found.reason, now
            session.add(row)


def summary(db: Database, *, hours: Any) -> pd.DataFrame:
    """Per account over the last `hours`: attempts, sent, not sent, may have been sent, and the last failure.

    What to look at first when codes stop arriving: which account fails, since when, and why.
    """
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= HOURS_MAX:
        raise InvalidInput("hours", f"{hours!r} is not allowed", allowed=f"more than 0, at most {HOURS_MAX} (ten years)")
    log = frame(db, since=utcnow() - timedelta(hours=hours), limit=LIMIT_MAX)
    columns = ["account_name", "gateway_type", "attempts", "sent", "not_sent", "may_have_been_sent",
               "undelivered", "last_failure_at", "last_failure"]
    if log.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for (account, kind), group in log.groupby(["account_name", "gateway_type"], sort=True):
        failures = group[group["outcome"] != "sent"]
        last = failures.iloc[0] if len(failures) else None  # the frame is newest first
        rows.append({
            "account_name": account, "gateway_type": kind, "attempts": len(group),
            "sent": int((group["outcome"] == "sent").sum()), "not_sent": int((group["outcome"] == "not_sent").sum()),
            "may_have_been_sent": int((group["outcome"] == "unknown").sum()),
            "undelivered": int((group["delivery_status"] == "undelivered").sum()),
            "last_failure_at": last["at"] if last is not None else pd.NaT,
            "last_failure": last["reason"] if last is not None else pd.NA,
        })
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["not_sent", "may_have_been_sent"], ascending=False, kind="stable").reset_index(drop=True)
