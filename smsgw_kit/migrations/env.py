"""Alembic environment: runs the migrations on the engine smsgw_kit hands over, one process at a time."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

from smsgw_kit import models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata
LOCK_KEY = 0x5_3_6D_73_67  # advisory lock id: only one process migrates a PostgreSQL database at a time


def run_migrations_online() -> None:
    engine: sa.Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                # A failed migration leaves the transaction aborted: end it, or the unlock fails and the
                # pooled connection keeps the session lock, so every later migration waits forever.
                connection.rollback()
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                connection.commit()


run_migrations_online()
