"""Races made deterministic on PostgreSQL: a second real connection (or a paused operator) holds one
transaction at a chosen point while the service runs into it, so each way a race can end is forced."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from smsgw_kit import (
    AccountLinked,
    Conflict,
    Database,
    DuplicateName,
    GatewayAdmin,
)
from smsgw_kit.testing import ProviderEmulator

pytestmark = pytest.mark.postgres
NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


@pytest.fixture
def pg_url(empty_pg_url):
    return empty_pg_url


@pytest.fixture
def admin(pg_url, keyring):
    db = Database(pg_url)
    yield GatewayAdmin(db, keyring=keyring, actor="op1")
    db.dispose()


@pytest.fixture
def other(pg_url, keyring):
    """A second operator with connections of its own."""
    db = Database(pg_url)
    yield GatewayAdmin(db, keyring=keyring, actor="op2")
    db.dispose()


class Holder:
    """A second real connection that runs SQL in one open transaction until told to commit."""

    def __init__(self, url: str):
        self.engine = sa.create_engine(url)
        self.conn = self.engine.connect()
        self.conn.begin()
        self.pid = self.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()

    def run(self, sql: str, **params: Any) -> Any:
        return self.conn.execute(sa.text(sql), params)

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


@pytest.fixture
def holder(pg_url):
    made: list[Holder] = []

    def make() -> Holder:
        made.append(Holder(pg_url))
        return made[-1]

    yield make
    for h in made:
        h.close()


def _wait_until_someone_waits_for_a_lock(url: str, *, besides: int | None = None, timeout: float = 10.0) -> None:
    """Return once a backend of this database (other than `besides`) waits for a lock."""
    engine = sa.create_engine(url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> coalesce(:besides, -1)"), {"besides": besides}).scalar()
            if waiting:
                return
            time.sleep(0.02)
        raise AssertionError("no operation started waiting for the held lock")
    finally:
        engine.dispose()


class Call(threading.Thread):
    """Run one service call in a thread; `.outcome()` is its result or the exception it raised."""

    def __init__(self, fn: Callable[[], Any]):
        super().__init__(daemon=True)
        self.fn, self.result, self.error = fn, None, None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects the outcome
            self.error = exc

    def outcome(self, timeout: float = 20.0) -> Any:
        self.join(timeout)
        assert not self.is_alive(), "the call never finished"
        return self.error if self.error is not None else self.result


def _audit(admin: GatewayAdmin, action: str) -> list[dict]:
    """The audit events of one action, oldest first."""
    frame = admin.audit_frame().sort_values("id")
    return frame[frame["action"] == action].to_dict("records")


# An operator's rows held by another transaction -------------------------------------------------

def test_set_default_waits_for_a_rename_of_the_old_default_and_audits_the_name_it_replaced(admin, pg_url, holder):
    admin.create_account(name="Old", set_default=True, **NEXMO)
    admin.create_account(name="New", **NEXMO)
    h = holder()
    h.run("UPDATE gateway_account SET name = 'Renamed', name_key = 'renamed', version = version + 1 WHERE name = 'Old'")
    call = Call(lambda: admin.set_default("New"))
    _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
    h.commit()
    assert call.outcome().is_default
    assert _audit(admin, "account.set_default")[-1]["before"] == {"default": "Renamed"}
    assert admin.get_account("Renamed").version == 4  # created 1, default 2, renamed 3, cleared 4: no lost bump


def test_set_default_racing_the_deletion_of_the_old_default_makes_the_new_one_default(admin, pg_url, holder):
    admin.create_account(name="Old", set_default=True, **NEXMO)
    admin.create_account(name="New", **NEXMO)
    h = holder()
    h.run("DELETE FROM gateway_account WHERE name = 'Old'")
    call = Call(lambda: admin.set_default("New"))
    _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
    h.commit()
    assert call.outcome().is_default  # not StaleDataError: the row that vanished is simply not the default any more
    assert _audit(admin, "account.set_default")[-1]["before"] == {"default": None}


def test_a_modify_reads_its_before_image_under_the_lock(admin, pg_url, holder):
    admin.create_account(name="A", **NEXMO)
    h = holder()
    h.run("UPDATE gateway_account SET user_name = 'theirs', version = version + 1 WHERE name = 'A'")
    call = Call(lambda: admin.modify_account("A", user_name="mine"))
    _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
    h.commit()
    assert call.outcome().version == 3
    assert _audit(admin, "account.modify")[-1]["before"] == {"user_name": "theirs"}


def test_a_name_taken_by_a_transaction_still_running_is_a_duplicate_once_it_commits(admin, pg_url, holder):
    h = holder()
    h.run("INSERT INTO gateway_account (name, name_key, gateway_type, gateway_url, connect_timeout, read_timeout, "
          "options, is_default, version, created_at, created_by, updated_at, updated_by) VALUES ('Same', 'same', "
          "'Nexmo', 'https://rest.nexmo.com/sms/json', 5, 15, '{}', false, 1, now(), 'x', now(), 'x')")
    call = Call(lambda: admin.create_account(name="same", **NEXMO))
    _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
    h.commit()
    error = call.outcome()
    assert isinstance(error, DuplicateName) and error.field == "name", error


def test_a_default_set_behind_the_default_lock_is_a_conflict_not_a_second_default(admin, pg_url, holder):
    admin.create_account(name="A", **NEXMO)
    admin.create_account(name="B", **NEXMO)
    h = holder()
    h.run("UPDATE gateway_account SET is_default = true WHERE name = 'A'")  # a writer that skips the default lock
    call = Call(lambda: admin.set_default("B"))
    _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
    h.commit()
    error = call.outcome()
    assert isinstance(error, Conflict) and "default" in str(error), error
    assert [a.name for a in admin.list_accounts() if a.is_default] == ["A"]


def test_a_link_committed_while_delete_waits_is_named_by_the_refusal(admin, pg_url, holder):
    admin.create_account(name="A", **NEXMO)
    admin.create_identity_store(name="S")
    h = holder()
    h.run("UPDATE identity_store SET gateway_account_id = (SELECT id FROM gateway_account WHERE name = 'A'), "
          "link_source = 'manual' WHERE name = 'S'")
    call = Call(lambda: admin.delete_account("A"))
    _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
    h.commit()
    error = call.outcome()
    assert isinstance(error, AccountLinked) and error.stores == ["S"], error


def test_a_store_relinked_while_link_waits_is_audited_with_the_account_it_really_had(admin, pg_url, holder):
    for name in ("A", "B", "C"):
        admin.create_account(name=name, **NEXMO)
    admin.create_identity_store(name="S")
    admin.link("S", "A")
    h = holder()
    h.run("UPDATE identity_store SET gateway_account_id = (SELECT id FROM gateway_account WHERE name = 'B') "
          "WHERE name = 'S'")
    call = Call(lambda: admin.link("S", "C"))  # locked A and C (S's account as read), then waits for S
    _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
    h.commit()
    assert call.outcome().gateway_account_name == "C"
    assert _audit(admin, "store.link")[-1]["before"] == {"gateway_account": "B", "link_source": "manual"}


def test_a_deadlock_is_a_conflict_and_nothing_is_saved(admin, pg_url, holder):
    admin.create_account(name="A", **NEXMO)
    admin.create_identity_store(name="S")
    h = holder()
    h.run("SET LOCAL deadlock_timeout = '30s'")  # so that the service's backend is the one that detects it
    h.run("SELECT id FROM identity_store WHERE name = 'S' FOR UPDATE")
    call = Call(lambda: admin.link("S", "A"))  # takes A (share), then waits for S
    _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
    blocked = Call(lambda: h.run("SELECT id FROM gateway_account WHERE name = 'A' FOR UPDATE"))
    error = call.outcome()
    assert blocked.outcome() is not None
    h.commit()
    assert isinstance(error, Conflict) and "deadlock" in str(error), error
    assert isinstance(error.__cause__, sa.exc.DBAPIError) and error.__cause__.orig.sqlstate == "40P01"
    assert admin.get_identity_store("S").gateway_account_name is None


def test_a_lock_held_past_the_lock_timeout_is_a_conflict(pg_url, keyring, holder):
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"),
                              connect_args={"options": "-c lock_timeout=200"})
    admin = GatewayAdmin(Database(engine=engine), keyring=keyring, actor="op1")
    admin.create_account(name="A", **NEXMO)
    h = holder()
    h.run("SELECT id FROM gateway_account WHERE name = 'A' FOR UPDATE")
    with pytest.raises(Conflict, match="held a lock") as err:
        admin.modify_account("A", user_name="x")
    assert err.value.__cause__.orig.sqlstate == "55P03"
    h.commit()
    engine.dispose()


def test_a_serialization_failure_is_a_conflict(pg_url, keyring, holder):
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"),
                              connect_args={"options": "-c default_transaction_isolation=serializable"})
    admin = GatewayAdmin(Database(engine=engine), keyring=keyring, actor="op1")
    admin.create_account(name="A", **NEXMO)
    h = holder()
    h.run("UPDATE gateway_account SET user_name = 'theirs' WHERE name = 'A'")
    call = Call(lambda: admin.modify_account("A", user_name="mine"))
    _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
    h.commit()
    error = call.outcome()
    assert isinstance(error, Conflict) and error.__cause__.orig.sqlstate == "40001", error
    engine.dispose()


def test_an_update_that_finds_its_row_gone_is_a_conflict(admin):
    """The ORM's StaleDataError (an UPDATE that matched no row) is translated like any other race."""
    admin.create_account(name="A", **NEXMO)
    fired = []

    @sa.event.listens_for(admin.db.engine, "before_cursor_execute")
    def vanish(conn, cursor, statement, *args):
        if statement.startswith("UPDATE gateway_account") and not fired:
            fired.append(statement)
            cursor.execute("DELETE FROM gateway_account WHERE name = 'A'")

    try:
        with pytest.raises(Conflict, match="changed or deleted"):
            admin.modify_account("A", user_name="x")
    finally:
        sa.event.remove(admin.db.engine, "before_cursor_execute", vanish)
    assert fired and admin.get_account("A").user_name == "key"  # rolled back: nothing changed


def test_a_test_whose_account_is_deleted_meanwhile_is_still_recorded(admin, pg_url, holder):
    with ProviderEmulator() as emu:
        fields = {k: v for k, v in emu.account_settings("Nexmo").items() if v is not None}
        admin.create_account(name="A", gateway_type="Nexmo", **fields)
        h = holder()
        h.run("DELETE FROM gateway_account WHERE name = 'A'")
        call = Call(lambda: admin.test_connection("A", "447079692712"))
        _wait_until_someone_waits_for_a_lock(pg_url, besides=h.pid)
        h.commit()
        assert call.outcome().outcome == "passed"
    history = admin.test_history_frame()
    assert history["account_name"].tolist() == ["A"] and history["gateway_account_id"].isna().all()


# Two operators: one paused inside its transaction -------------------------------------------------

@contextmanager
def paused_after_flush(admin: GatewayAdmin) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Pause `admin`'s next write right after it flushed (its locks held); (reached, release) events."""
    reached, release = threading.Event(), threading.Event()

    def hold(session: Session, _context: Any) -> None:
        if session.get_bind() is admin.db.engine and not reached.is_set():
            reached.set()
            release.wait(20)

    sa.event.listen(Session, "after_flush", hold)
    try:
        yield reached, release
    finally:
        release.set()
        sa.event.remove(Session, "after_flush", hold)


def test_deleting_the_default_while_another_operator_sets_a_new_one(admin, other, pg_url):
    admin.create_account(name="Old", set_default=True, **NEXMO)
    admin.create_account(name="New", **NEXMO)
    with paused_after_flush(admin) as (reached, release):
        deleting = Call(lambda: admin.delete_account("Old"))
        assert reached.wait(10)
        setting = Call(lambda: other.set_default("New"))
        _wait_until_someone_waits_for_a_lock(pg_url)
        release.set()
        deleted = deleting.outcome()
    assert deleted.was_default and "no default" in deleted.notice
    assert setting.outcome().is_default
    assert _audit(admin, "account.set_default")[-1]["before"] == {"default": None}


def test_setting_a_default_while_another_operator_deletes_the_old_one(admin, other, pg_url):
    admin.create_account(name="Old", set_default=True, **NEXMO)
    admin.create_account(name="New", **NEXMO)
    with paused_after_flush(other) as (reached, release):
        setting = Call(lambda: other.set_default("New"))
        assert reached.wait(10)
        deleting = Call(lambda: admin.delete_account("Old"))
        _wait_until_someone_waits_for_a_lock(pg_url)
        release.set()
        assert setting.outcome().is_default
    deleted = deleting.outcome()
    assert not deleted.was_default and deleted.notice is None
    assert [a.name for a in admin.list_accounts()] == ["New"]


def test_unsetting_the_default_flag_of_an_account_that_is_not_default_never_waits_for_the_default(
        pg_url, keyring, holder):
    """Locking the default after the edited account would break the lock order (a deadlock in the mix)."""
    engine = sa.create_engine(pg_url, connect_args={"options": "-c lock_timeout=300"})
    admin = GatewayAdmin(Database(engine=engine), keyring=keyring, actor="op1")
    admin.create_account(name="D", set_default=True, **NEXMO)
    admin.create_account(name="X", **NEXMO)
    h = holder()
    h.run("SELECT id FROM gateway_account WHERE name = 'D' FOR UPDATE")
    assert admin.modify_account("X", set_default=False, user_name="y").user_name == "y"
    h.commit()
    engine.dispose()
