"""Read-only pandas views of accounts, store links, test history and the audit trail (secrets masked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from . import audit, models, routes, rules
from .db import Database
from .keystore import SECRET_STATE

_TABLES = models.GatewayAccount.metadata.tables
ACCOUNTS, STORES = _TABLES["gateway_account"], _TABLES["identity_store"]
A, S = ACCOUNTS.c, STORES.c
T = _TABLES["connection_test_run"].c
E = _TABLES["audit_event"].c
V = SECRET_STATE.c


def _set_or_not(flag: sa.ColumnElement) -> sa.ColumnElement:
    return sa.case((flag == 1, "set"), else_="not set")


def accounts_query() -> sa.Select:
    """One row per account with its linked-store count and last test result."""
    links = (sa.select(S.gateway_account_id, sa.func.count().label("n"))
             .where(S.gateway_account_id.is_not(None)).group_by(S.gateway_account_id).subquery())
    ranked = sa.select(
        T.gateway_account_id, T.outcome, T.started_at,
        sa.func.row_number().over(partition_by=T.gateway_account_id,
                                  order_by=(T.started_at.desc(), T.id.desc())).label("rn"),
    ).where(T.gateway_account_id.is_not(None)).subquery()
    return (
        sa.select(
            A.id, A.name, A.gateway_type, A.gateway_url, A.account_id, A.user_name,
            _set_or_not(V.password_set).label("password"), A.sender_id,
            A.proxy_host_name, A.proxy_port, A.proxy_user_name,
            _set_or_not(V.proxy_password_set).label("proxy_password"),
            A.is_default, sa.func.coalesce(links.c.n, 0).label("linked_stores"),
            ranked.c.outcome.label("last_test_outcome"), ranked.c.started_at.label("last_test_at"),
            A.created_at, A.created_by, A.updated_at, A.updated_by, A.version,
        )
        .select_from(ACCOUNTS)
        .join(SECRET_STATE, V.id == A.id)  # not the ciphertext columns: auditors may not read those
        .outerjoin(links, links.c.gateway_account_id == A.id)
        .outerjoin(ranked, sa.and_(ranked.c.gateway_account_id == A.id, ranked.c.rn == 1))
        .order_by(A.name_key)
    )


DTYPES: dict[str, Any] = {
    "id": "Int64", "proxy_port": "Int64", "linked_stores": "Int64", "version": "Int64",
    "object_id": "Int64", "gateway_account_id": "Int64", "is_default": "boolean",
    "duration_ms": "Float64",
}
TIMESTAMPS = ("last_test_at", "created_at", "updated_at", "started_at", "at")
JSON_COLUMNS = ("before", "after", "stages")
DATABASE_ATTR = "smsgw_database"  # frame.attrs key: the database a frame was read from (audit.origin)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for col in frame.columns:
        if col in DTYPES:
            frame[col] = frame[col].astype(DTYPES[col])
        elif col in TIMESTAMPS:
            frame[col] = pd.to_datetime(frame[col], utc=True, format="mixed").dt.as_unit("us")
        elif col not in JSON_COLUMNS and (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])):
            frame[col] = frame[col].astype("string")
    return frame


def _frame(db: Database, query: sa.Select) -> pd.DataFrame:
    with db.reading() as conn:
        return _typed(pd.read_sql(query, conn))


def accounts(db: Database) -> pd.DataFrame:
    """Accounts, secrets shown only as 'set'/'not set'; `attrs["smsgw_database"]` says which database (audit.origin),
    for `plan_from_frame`, which matches rows by id."""
    with db.reading() as conn:
        frame = _typed(pd.read_sql(accounts_query(), conn))
        frame.attrs[DATABASE_ATTR] = audit.origin(conn)
    return frame


def accounts_page(db: Database, *, search: str | None = None, offset: int = 0,
                  limit: int = 20) -> tuple[pd.DataFrame, int]:
    """A page of `accounts()` whose name, type or URL contains `search`, with linked store names."""
    search = rules.clean_text(search, "search")
    offset = rules.clean_whole(offset, "offset", 0, rules.ID_MAX)
    limit = rules.clean_whole(limit, "limit", 1, 10_000)
    query = accounts_query()
    if search:
        term = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(sa.or_(*(sa.func.lower(c).like(f"%{term}%", escape="\\")
                                     for c in (A.name, A.gateway_type, A.gateway_url))))
    count = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    with db.reading() as conn:
        total = conn.execute(count).scalar_one()
        frame = _typed(pd.read_sql(query.offset(max(0, offset)).limit(max(1, limit)), conn))
        ids = [int(i) for i in frame["id"]]
        names = conn.execute(sa.select(S.gateway_account_id, S.name)
                             .where(S.gateway_account_id.in_(ids)).order_by(S.name_key)).all()
        with Session(bind=conn) as session:  # every role an account serves in (linked, fallback, route)
            used = routes.uses_texts(session, ids)
    linked: dict[int, list[str]] = {}
    for account_id, name in names:
        linked.setdefault(account_id, []).append(name)
    frame["linked_store_names"] = pd.Series([linked.get(i, []) for i in ids], index=frame.index, dtype=object)
    frame["used_by"] = pd.Series([used.get(i, []) for i in ids], index=frame.index, dtype=object)
    return frame, total


def store_links(db: Database) -> pd.DataFrame:
    """Identity stores with their linked account and how the link was made."""
    query = (
        sa.select(S.id, S.name.label("identity_store"), S.store_type, A.name.label("gateway_account"),
                  S.gateway_account_id, S.link_source, S.sms_text, S.updated_at, S.updated_by)
        .select_from(STORES).outerjoin(ACCOUNTS, A.id == S.gateway_account_id).order_by(S.name_key)
    )
    return _frame(db, query)


def test_history(db: Database, *, account: str | None = None, run_by: str | None = None,
                 outcome: str | None = None, since: datetime | None = None,
                 until: datetime | None = None) -> pd.DataFrame:
    """Every Test Connection run, newest first; stages kept as a list per run."""
    account, run_by, outcome = (rules.clean_text(v, f) for v, f in
                                ((account, "account"), (run_by, "run_by"), (outcome, "outcome")))
    since, until = rules.clean_moment(since, "since"), rules.clean_moment(until, "until")
    query = sa.select(T.id, T.started_at, T.account_name, T.gateway_account_id, T.gateway_type, T.phone,
                      T.outcome, T.duration_ms, T.summary, T.message_id, T.run_by, T.stages)
    if account is not None:
        query = query.where(sa.func.lower(T.account_name) == account.strip().lower())
    if run_by:
        query = query.where(T.run_by == run_by)
    if outcome:
        query = query.where(T.outcome == outcome)
    if since is not None:
        query = query.where(T.started_at >= since)
    if until is not None:
        query = query.where(T.started_at <= until)
    frame = _frame(db, query.order_by(T.started_at.desc(), T.id.desc()))
    frame["stages"] = frame["stages"].map(_json).astype(object)
    return frame


def audit_events(db: Database, *, actor: str | None = None, action: str | None = None,
                 object_name: str | None = None, since: datetime | None = None,
                 until: datetime | None = None) -> pd.DataFrame:
    """The audit trail, newest first, filtered by who, what, which object and when."""
    actor, action, object_name = (rules.clean_text(v, f) for v, f in
                                  ((actor, "actor"), (action, "action"), (object_name, "object_name")))
    since, until = rules.clean_moment(since, "since"), rules.clean_moment(until, "until")
    query = sa.select(E.id, E.at, E.actor, E.action, E.object_kind, E.object_id, E.object_name, E.before, E.after,
                      E.db_user)
    if actor:
        query = query.where(E.actor == actor)
    if action:
        query = query.where(E.action.startswith(action))
    if object_name:
        query = query.where(sa.func.lower(E.object_name) == object_name.strip().lower())
    if since is not None:
        query = query.where(E.at >= since)
    if until is not None:
        query = query.where(E.at <= until)
    frame = _frame(db, query.order_by(E.at.desc(), E.id.desc()))
    for col in ("before", "after"):
        frame[col] = frame[col].map(_json).astype(object)
    return frame


def _json(value: object) -> object:
    if isinstance(value, str):
        import json

        return json.loads(value)
    return value


def data_version(db: Database) -> tuple[int, int]:
    """A cheap change stamp: the newest audit event and test run ids (every change writes one of them).

    Two primary-key maxima, answered from the index; a page polls it to see changes made elsewhere.
    """
    query = sa.select(sa.func.coalesce(sa.func.max(E.id), 0), sa.select(sa.func.coalesce(sa.func.max(T.id), 0))
                      .scalar_subquery())
    with db.reading() as conn:
        audit_id, test_id = conn.execute(query).one()
    return int(audit_id), int(test_id)
