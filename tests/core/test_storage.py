"""Where the data lives: embedded SQLite by default, any URL by argument or environment, clear errors."""

import os
import shutil
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from racing import together

from smsgw_kit import Database, GatewayAdmin, StorageError, connect
from smsgw_kit.db import default_url


def test_default_is_sqlite_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SMSGW_KIT_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    url = default_url()
    assert url == f"sqlite:///{tmp_path / 'smsgw_kit' / 'smsgw_kit.db'}"
    db = Database()
    assert db.dialect == "sqlite" and (tmp_path / "smsgw_kit" / "smsgw_kit.db").exists()
    db.dispose()


def test_environment_url_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv("SMSGW_KIT_DATABASE_URL", f"sqlite:///{tmp_path / 'team.db'}")
    db = Database()
    assert db.engine.url.database.endswith("team.db")
    db.dispose()


def test_unreachable_server_is_a_storage_error_without_the_password():
    with pytest.raises(StorageError) as err:
        Database("postgresql://ops:hunter2-secret@127.0.0.1:1/smsgw")
    assert "hunter2-secret" not in str(err.value) and "127.0.0.1" in str(err.value)


def test_unknown_driver_is_a_storage_error():
    with pytest.raises(StorageError, match="Cannot use the database URL"):
        Database("nosuchdb://x/y")


# Several threads, unreachable databases, locked and read-only files ---------------------------------

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


def _connect_at_once(url: str, threads: int = 6) -> list:
    return together(*(lambda: connect(url) for _ in range(threads)))


def test_connect_from_several_threads_at_once_on_a_new_sqlite_file(tmp_path):
    for attempt in range(4):
        made = _connect_at_once(f"sqlite:///{tmp_path / f'new{attempt}.db'}")
        assert not [m for m in made if isinstance(m, Exception)], made
        assert made[0].list_accounts() == []
        for admin in made:
            admin.db.dispose()


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_connect_from_several_threads_at_once_on_postgres(database_url):
    for _ in range(4):
        made = _connect_at_once(database_url)
        assert not [m for m in made if isinstance(m, Exception)], made
        for admin in made:
            admin.db.dispose()


def _every_call(admin) -> dict:
    """Every public call of the facade, reads and writes, with plausible arguments."""
    return {
        "list_accounts": admin.list_accounts, "get_account": lambda: admin.get_account("A"),
        "default_account": admin.default_account, "linked_stores": lambda: admin.linked_stores("A"),
        "check_deletable": lambda: admin.check_deletable("A"), "list_identity_stores": admin.list_identity_stores,
        "get_identity_store": lambda: admin.get_identity_store("S"), "accounts_frame": admin.accounts_frame,
        "accounts_page": admin.accounts_page, "store_links_frame": admin.store_links_frame,
        "test_history_frame": admin.test_history_frame, "audit_frame": admin.audit_frame,
        "verify_secrets": admin.verify_secrets, "test_connection": lambda: admin.test_connection("A"),
        "test_accounts": admin.test_accounts, "test_settings": lambda: admin.test_settings(account="A"),
        "create_account": lambda: admin.create_account(name="B", **NEXMO),
        "modify_account": lambda: admin.modify_account("A", user_name="x"),
        "set_default": lambda: admin.set_default("A"), "clear_default": admin.clear_default,
        "delete_account": lambda: admin.delete_account("A"),
        "create_identity_store": lambda: admin.create_identity_store(name="T"),
        "link": lambda: admin.link("S", "A"), "unlink": lambda: admin.unlink("S"),
        "set_sms_text": lambda: admin.set_sms_text("S", "Code [Code]"),
        "configure_sms_authentication": lambda: admin.configure_sms_authentication("S", account=None, sms_text="[Code]"),
        "delete_identity_store": lambda: admin.delete_identity_store("S"),
        "rotate_encryption_key": admin.rotate_encryption_key,
    }


def _answers(admin) -> dict:
    out = {}
    for name, call in _every_call(admin).items():
        try:
            call()
            out[name] = "no error"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            out[name] = exc
    return out


def test_connecting_to_an_unreachable_server_is_a_storage_error_saying_so(keyring, unused_tcp_port):
    url = f"postgresql://ops:hunter2@127.0.0.1:{unused_tcp_port}/smsgw"
    with pytest.raises(StorageError) as caught:
        GatewayAdmin(Database(url, migrate=False), keyring=keyring)  # the keys are checked against it at once
    assert "Cannot reach" in str(caught.value) and f"127.0.0.1:{unused_tcp_port}" in str(caught.value)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_every_call_after_the_server_went_away_is_a_storage_error_saying_so(database_url, keyring, unused_tcp_port):
    admin = GatewayAdmin(Database(database_url, migrate=False), keyring=keyring)
    admin.db.dispose()
    # the server is gone: the same admin now reaches a port where nothing listens
    admin.db = Database(f"postgresql://ops:hunter2@127.0.0.1:{unused_tcp_port}/smsgw", migrate=False)
    answers = _answers(admin)
    wrong = {k: v for k, v in answers.items() if not isinstance(v, StorageError)}
    assert wrong == {}
    assert all("Cannot reach" in str(e) and f"127.0.0.1:{unused_tcp_port}" in str(e) for e in answers.values())
    assert not any("hunter2" in str(e) for e in answers.values())


def test_every_call_on_a_sqlite_file_that_became_unreadable_is_a_storage_error(tmp_path, keyring):
    folder = tmp_path / "data"
    folder.mkdir()
    admin = GatewayAdmin(Database(f"sqlite:///{folder / 'smsgw.db'}"), keyring=keyring)
    admin.create_account(name="A", **NEXMO)
    admin.create_identity_store(name="S")
    admin.db.dispose()
    folder.rename(tmp_path / "moved")  # the file is gone from where the database URL points
    answers = _answers(admin)
    wrong = {k: v for k, v in answers.items() if not isinstance(v, StorageError)}
    assert wrong == {}
    assert all("Cannot open the SQLite file" in str(e) for e in answers.values()), answers


@pytest.fixture
def unused_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HOLD_WRITE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE gateway_account SET user_name = 'other process'")
print("holding", flush=True)
time.sleep(60)
"""


def test_a_file_another_process_is_writing_answers_locked_and_how_long_we_waited(tmp_path, keyring):
    path = tmp_path / "smsgw.db"
    GatewayAdmin(Database(f"sqlite:///{path}"), keyring=keyring).create_account(name="A", **NEXMO)
    other = subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "holding"
        admin = GatewayAdmin(Database(f"sqlite:///{path}", lock_wait=0.5), keyring=keyring)
        assert admin.get_account("A").user_name == "key"  # readers are not blocked by the writer
        with pytest.raises(StorageError) as err:
            admin.modify_account("A", user_name="mine")
        assert "locked by another process (waited 0.5 s)" in str(err.value)
        assert "try again" in str(err.value)
    finally:
        other.kill()
        other.wait()
    assert admin.modify_account("A", user_name="mine").user_name == "mine"  # once the lock is gone


@contextmanager
def _read_only(path: Path):
    """Make `path` read-only for this user (root ignores permission bits, so it is made immutable)."""
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("cannot make a file read-only for root here (no chattr +i)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)


def test_a_read_only_file_says_so_and_what_to_do(tmp_path, keyring):
    path = tmp_path / "smsgw.db"
    db = Database(f"sqlite:///{path}")
    GatewayAdmin(db, keyring=keyring).create_account(name="A", **NEXMO)
    db.dispose()
    with _read_only(path):
        admin = GatewayAdmin(Database(f"sqlite:///{path}"), keyring=keyring)
        assert admin.get_account("A").name == "A"
        with pytest.raises(StorageError) as err:
            admin.modify_account("A", user_name="x")
        admin.db.dispose()
    assert "is read-only" in str(err.value) and "permissions" in str(err.value)


def _in_transaction(conn) -> bool:
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite":
        return raw.in_transaction
    import psycopg

    return raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def test_an_autocommit_read_opens_no_transaction_and_leaves_the_next_one_transactional(database):
    import sqlalchemy as sa

    with database.reading(autocommit=True) as conn:
        conn.execute(sa.select(sa.literal(1))).all()
        assert not _in_transaction(conn)
    for context in (database.reading(), database.writing()):  # the pooled connection is back to normal
        with context as conn:
            conn.execute(sa.select(sa.literal(1))).all()
            assert _in_transaction(conn)


def test_an_autocommit_write_is_its_own_transaction_seen_at_once_and_leaves_the_next_one_transactional(database):
    import sqlalchemy as sa

    from smsgw_kit.models import RoutingSettings

    table = RoutingSettings.__table__
    with database.writing(autocommit=True) as conn:
        conn.execute(table.insert().values(id=1, cooldown_seconds=42.0, retention_days=7))
        assert not _in_transaction(conn)  # no BEGIN before it, nothing left to COMMIT after it
        with database.reading() as other:  # committed already, while the block is still open
            assert other.execute(sa.select(table.c.cooldown_seconds)).scalar_one() == 42.0
    with database.writing() as conn:  # the pooled connection is back to normal
        conn.execute(sa.select(sa.literal(1))).all()
        assert _in_transaction(conn)


def _backend_pid(db: Database) -> int:
    with db.reading() as conn:
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _cut(url: str, pid: int) -> None:
    """The server ends the connection `pid` (as a restart or an idle timeout does)."""
    import sqlalchemy as sa

    owner = sa.create_engine(url)
    with owner.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar_one()
    owner.dispose()


@pytest.mark.postgres
def test_a_pooled_connection_idle_longer_than_the_ping_limit_is_pinged_and_replaced_if_cut(empty_pg_url, monkeypatch):
    import smsgw_kit.db

    db = Database(empty_pg_url)
    pid = _backend_pid(db)
    _cut(empty_pg_url, pid)
    monkeypatch.setattr(smsgw_kit.db, "PING_AFTER", 0.0)  # it has been idle "too long": pinged before use
    assert _backend_pid(db) != pid  # the ping found it cut; the caller got a new one and saw no error
    db.dispose()


@pytest.mark.postgres
def test_a_connection_back_in_the_pool_within_the_limit_is_used_without_a_ping(empty_pg_url, monkeypatch):
    import smsgw_kit.db

    db = Database(empty_pg_url)
    pings = []
    real = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda conn: pings.append(1) or real(conn))
    for _ in range(3):
        _backend_pid(db)
    assert pings == []  # the round trip SQLAlchemy's pool_pre_ping would make before every statement
    monkeypatch.setattr(smsgw_kit.db, "PING_AFTER", 0.0)
    _backend_pid(db)
    assert pings == [1]
    db.dispose()


@pytest.mark.postgres
def test_a_read_on_a_connection_cut_within_the_limit_is_run_again_on_a_new_one(empty_pg_url):
    db = Database(empty_pg_url)
    pid = _backend_pid(db)
    _cut(empty_pg_url, pid)  # no ping: it was in use a moment ago
    with pytest.raises(StorageError, match="Cannot reach"):  # what a plain read sees, once
        _backend_pid(db)
    pid = _backend_pid(db)
    _cut(empty_pg_url, pid)
    assert db.read(lambda conn: conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()) != pid
    db.dispose()
