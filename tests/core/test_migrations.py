"""The Alembic migrations produce exactly the schema the models declare, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import smsgw_kit.models  # noqa: F401


def test_migrations_match_models(database):
    with database.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def _head() -> str:
    from alembic.script import ScriptDirectory

    from smsgw_kit.db import alembic_config

    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def test_opening_twice_is_idempotent(database_url):
    from alembic.script import ScriptDirectory

    from smsgw_kit import Database
    from smsgw_kit.db import alembic_config

    head = None
    for _ in range(2):
        db = Database(database_url)
        head = head or ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head
        db.dispose()


def test_sqlite_pragmas(sqlite_admin):
    with sqlite_admin.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
