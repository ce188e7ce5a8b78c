"""Shared fixtures: a fresh SQLite or PostgreSQL database per test, keys in memory, an admin on them."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile
import uuid

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, Keyring

PG_URL = os.environ.get("SMSGW_KIT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
_TMP = tempfile.mkdtemp(prefix="smsgw-test-")


def pytest_configure(config: pytest.Config) -> None:
    # Never touch the user's own key file or database, here or in notebook kernels started by tests.
    os.environ["SMSGW_KIT_KEY_FILE"] = os.path.join(_TMP, "secret.keys")
    os.environ["SMSGW_KIT_DATABASE_URL"] = f"sqlite:///{os.path.join(_TMP, 'notebooks.db')}"
    os.environ.pop("SMSGW_KIT_SECRET_KEYS", None)
    os.environ.setdefault("IPYKERNEL_CELL_NAME", "<IPY-INPUT>")


def pytest_unconfigure(config: pytest.Config) -> None:
    # Each process (the main one and every xdist worker) made its own folder: leave none behind.
    shutil.rmtree(_TMP, ignore_errors=True)


_real_getaddrinfo = socket.getaddrinfo


def _loopback_only_getaddrinfo(host, *args, **kwargs):
    """Tests talk only to loopback: any other name fails as an unknown host, without a DNS query."""
    name = host.decode() if isinstance(host, bytes) else host
    try:
        loopback = name is None or ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        loopback = name.lower().rstrip(".") in ("localhost", "localhost.localdomain")
    if not loopback:
        raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known ({name}: tests resolve loopback only)")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_only_getaddrinfo


def _pg_server_url() -> str | None:
    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect():
            return PG_URL
    except Exception as exc:
        if IN_CI:
            raise RuntimeError(f"CI=true but PostgreSQL is not reachable at {PG_URL}: {exc}") from exc
        return None
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_database_url():
    """A PostgreSQL database of this test session's own, dropped at the end."""
    server = _pg_server_url()
    if server is None:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} (set SMSGW_KIT_TEST_PG_URL; required when CI=true)")
    name = f"smsgw_test_{uuid.uuid4().hex[:10]}"
    admin_engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    Database(url).dispose()  # migrate once
    yield url
    with admin_engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_engine.dispose()


def _truncate(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "TRUNCATE audit_event, connection_test_run, delivery_attempt, store_fallback, store_route, routing_settings, "
            "identity_store, gateway_account, secret_key RESTART IDENTITY CASCADE"
        )


@pytest.fixture
def empty_pg_url(pg_database_url: str) -> str:
    """The session's PostgreSQL database emptied (every table), for tests that only run on PostgreSQL."""
    db = Database(pg_database_url, migrate=False)
    _truncate(db)
    db.dispose()
    return pg_database_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of an empty, migrated database: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'smsgw.db'}"
    url = request.getfixturevalue("pg_database_url")
    db = Database(url, migrate=False)
    _truncate(db)
    db.dispose()
    return url


@pytest.fixture
def database(database_url: str):
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.from_keys(Fernet.generate_key())


@pytest.fixture
def admin(database: Database, keyring: Keyring) -> GatewayAdmin:
    """An operator's admin on a fresh database, acting as 'tester'."""
    return GatewayAdmin(database, keyring=keyring, actor="tester")


@pytest.fixture
def sqlite_admin(tmp_path, keyring: Keyring):
    """An admin on a fresh SQLite database only (for tests that need no PostgreSQL run)."""
    db = Database(f"sqlite:///{tmp_path / 'smsgw.db'}")
    yield GatewayAdmin(db, keyring=keyring, actor="tester")
    db.dispose()
