"""send_code when the database fails it. A log the database refuses after a code went out: the report still
comes back, nothing is sent twice, and the rows reach the log with the next send (real refusals: a SQLite
file locked by another writer, a PostgreSQL login role without INSERT on the log). A connection the server
cut: the read before the send is run again, the send goes out once."""

from __future__ import annotations

import logging
import sqlite3
import uuid

import pytest
import sqlalchemy as sa

from smsgw_kit import Database, GatewayAdmin, NotFound
from smsgw_kit.deliveries import Backlog

UK = "447079692712"


def _accounts_and_store(admin: GatewayAdmin, emu, dead) -> None:
    """Store Corp: its linked account refuses connections, the fallback sends (two attempts per send)."""
    fields = {k: v for k, v in emu.account_settings("Nexmo").items() if v is not None}
    admin.create_account(name="Down", gateway_type="Nexmo", **{**fields, "gateway_url": dead.url_for("Nexmo")})
    admin.create_account(name="Nexmo A", gateway_type="Nexmo", **fields)
    admin.create_identity_store(name="Corp")
    admin.link("Corp", "Down")
    admin.set_fallbacks("Corp", ["Nexmo A"])
    admin.set_routing_settings(cooldown_seconds=0)


def _sent_to_emulator(emu) -> list:
    return [r for r in emu.requests if r.path.endswith("/sms/json")]


def test_a_locked_sqlite_file_after_the_send_returns_the_report_and_the_next_send_writes_both(
        tmp_path, keyring, emu, dead, caplog):
    db = Database(f"sqlite:///{tmp_path / 'smsgw.db'}", lock_wait=0.2)
    admin = GatewayAdmin(db, keyring=keyring, actor="tester")
    _accounts_and_store(admin, emu, dead)
    emu.clear()
    other = sqlite3.connect(tmp_path / "smsgw.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock for longer than we wait
    with caplog.at_level(logging.WARNING, logger="smsgw_kit.deliveries"):
        first = admin.send_code("Corp", UK)
    assert first.sent and [a.outcome for a in first.attempts] == ["not_sent", "sent"]
    assert "locked by another process" in first.log_error and "could not be written" in first.summary
    assert first.code not in first.log_error + first.summary + caplog.text
    assert len(_sent_to_emulator(emu)) == 1  # sent once, and no exception for a caller to send again on
    # (its words are not compared: the log filter masks any secret an earlier test left, even a letter)
    assert [r.levelno for r in caplog.records if r.name == "smsgw_kit.deliveries"] == [logging.WARNING]
    assert admin.unlogged_attempts == 2 and admin.deliveries_frame().empty  # (its write still refused)
    admin.close()  # (and so is the write on closing: the rows stay kept)
    assert admin.unlogged_attempts == 2
    with pytest.raises(NotFound):  # asking the provider needs the log entry, which cannot be written yet
        admin.delivery_status(first)
    other.execute("ROLLBACK")
    other.close()
    assert list(admin.deliveries_frame().attempt) == [2, 1]  # looking at the log writes what was kept
    assert admin.unlogged_attempts == 0 and admin.delivery_status(first).status in ("pending", "unsupported")
    second = admin.send_code("Corp", UK)
    assert second.sent and second.log_error is None and "could not be written" not in second.summary
    assert admin.unlogged_attempts == 0
    log = admin.deliveries_frame()
    assert log.groupby("send_id").attempt.apply(sorted).to_dict() == {first.send_id: [1, 2], second.send_id: [1, 2]}
    assert len(_sent_to_emulator(emu)) == 2
    db.dispose()


@pytest.mark.postgres
def test_a_postgresql_role_without_insert_on_the_log_gets_its_report_and_catches_up_once_granted(
        empty_pg_url, keyring, emu, dead):
    owner_db = Database(empty_pg_url)
    _accounts_and_store(GatewayAdmin(owner_db, keyring=keyring, actor="owner"), emu, dead)
    role = f"smsgw_t_nolog_{uuid.uuid4().hex[:8]}"
    owner = sa.create_engine(empty_pg_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        for statement in (f"CREATE ROLE {role} LOGIN", f"GRANT USAGE ON SCHEMA public TO {role}",
                          f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                          f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
                          f"REVOKE INSERT ON delivery_attempt FROM {role}"):
            conn.exec_driver_sql(statement)
    db = Database(sa.make_url(empty_pg_url).set(username=role).render_as_string(hide_password=False))
    try:
        admin = GatewayAdmin(db, keyring=keyring, actor="sender")
        emu.clear()
        first = admin.send_code("Corp", UK)
        assert first.sent and "permission denied" in first.log_error
        assert admin.unlogged_attempts == 2 and len(_sent_to_emulator(emu)) == 1
        with owner.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM delivery_attempt").scalar_one() == 0
            conn.exec_driver_sql(f"GRANT INSERT ON delivery_attempt TO {role}")
        admin.close()  # closing writes what was kept
        assert admin.unlogged_attempts == 0
        with owner.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM delivery_attempt").scalar_one() == 2
        second = admin.send_code("Corp", UK)
        assert second.sent and second.log_error is None and admin.unlogged_attempts == 0
        with owner.connect() as conn:
            logged = conn.exec_driver_sql("SELECT send_id, attempt FROM delivery_attempt ORDER BY id").all()
        assert logged == [(first.send_id, 1), (first.send_id, 2), (second.send_id, 1), (second.send_id, 2)]
    finally:
        db.dispose()
        owner_db.dispose()
        with owner.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'")
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        owner.dispose()


def test_the_backlog_keeps_order_and_drops_the_oldest_past_its_limit(monkeypatch):
    monkeypatch.setattr(Backlog, "LIMIT", 3)
    backlog = Backlog()
    backlog.put_back([{"n": 1}, {"n": 2}])
    backlog.put_back([{"n": 0}])  # rows a later failed write took and gave back go ahead of the rest
    assert [r["n"] for r in backlog.take()] == [0, 1, 2] and len(backlog) == 0
    backlog.put_back([{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}])
    assert [r["n"] for r in backlog.take()] == [2, 3, 4] and backlog.dropped == 1


@pytest.mark.postgres
def test_connections_the_server_cut_a_moment_ago_cost_a_send_nothing(empty_pg_url, keyring, emu, dead):
    db = Database(empty_pg_url)
    admin = GatewayAdmin(db, keyring=keyring, actor="tester")
    _accounts_and_store(admin, emu, dead)
    first = admin.send_code("Corp", UK)  # the pool's connections were all in use a moment ago: no ping next
    owner = sa.create_engine(empty_pg_url)
    with owner.connect() as conn:  # a restart: the server ends every connection of the admin's pool
        conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    owner.dispose()
    emu.clear()
    second = admin.send_code("Corp", UK)
    assert second.sent and second.log_error is None and len(_sent_to_emulator(emu)) == 1
    assert set(admin.deliveries_frame().send_id) == {first.send_id, second.send_id}
    db.dispose()
