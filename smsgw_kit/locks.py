"""The one order in which a write takes its locks (the default lock, accounts by id, then stores), so writes never deadlock.

Every write that reads or changes which account is the default, or deletes an account, first takes
the default lock. Account rows are then locked in ascending id order, and identity store rows last.
A transaction that follows this order can wait for another, but two can never wait for each other.
Rows are re-read when locked, so what a write audits as "before" is the state it replaces. SQLite
needs none of this (one writer at a time), so these calls only read there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from .models import GatewayAccount, IdentityStore

DEFAULT_LOCK = 0x5_3_6D_73_68  # advisory lock id: serialises every change of the default account on PostgreSQL
Mode = Literal["share", "update", "delete"]


def take_default(session: Session) -> None:
    """The default lock (PostgreSQL advisory, released at commit); SQLite's writer lock already is one."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(sa.select(sa.func.pg_advisory_xact_lock(DEFAULT_LOCK)))


def accounts(session: Session, ids: Iterable[int | None], mode: Mode = "update") -> dict[int, GatewayAccount]:
    """Lock the accounts with these ids in id order and return those that exist, freshly read.

    "share" keeps them from changing (a link reads the name), "update" lets the caller change them
    without blocking foreign keys that point at them, "delete" is exclusive.
    """
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    query = (select(GatewayAccount).where(col(GatewayAccount.id).in_(wanted))
             .order_by(col(GatewayAccount.id))
             .with_for_update(read=mode == "share", key_share=mode == "update")
             .execution_options(populate_existing=True))
    return {row.id: row for row in session.exec(query).all() if row.id is not None}


def store(session: Session, store_id: int) -> IdentityStore | None:
    """Lock one identity store (after any accounts) and return it freshly read, or None if it is gone."""
    query = (select(IdentityStore).where(IdentityStore.id == store_id).with_for_update()
             .execution_options(populate_existing=True))
    return session.exec(query).first()
