"""Least privilege on PostgreSQL, proven by logging in as real roles: each refusal comes from the database."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, Keyring, StorageError
from smsgw_kit.roles import AUDITOR, OPERATOR, create_roles

pytestmark = pytest.mark.postgres
NEXMO = {"gateway_type": "Nexmo", "user_name": "key", "password": "Op-secret-4d2c", "sender_id": "GroupID"}


@pytest.fixture(scope="module")
def logins(pg_database_url):
    """Login roles unique to this test session (members of the group roles), dropped afterwards."""
    owner = sa.create_engine(pg_database_url, isolation_level="AUTOCOMMIT")
    create_roles(owner)
    create_roles(owner)  # idempotent
    suffix = uuid.uuid4().hex[:8]
    names = {"operator": f"smsgw_t_op_{suffix}", "auditor": f"smsgw_t_au_{suffix}", "nobody": f"smsgw_t_no_{suffix}"}
    groups = {"operator": OPERATOR, "auditor": AUDITOR, "nobody": None}
    with owner.connect() as conn:
        for who, name in names.items():
            conn.exec_driver_sql(f"CREATE ROLE {name} LOGIN" + (f" IN ROLE {groups[who]}" if groups[who] else ""))
    base = sa.make_url(pg_database_url)
    yield {who: base.set(username=name).render_as_string(hide_password=False) for who, name in names.items()}
    with owner.connect() as conn:
        for name in names.values():
            conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{name}'")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {name}")
    owner.dispose()


@pytest.fixture
def seeded(pg_database_url, logins):
    """An account, a store and a few audit events, written by the operator login."""
    owner = Database(pg_database_url, migrate=False)
    with owner.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE audit_event, connection_test_run, identity_store, gateway_account, "
                             "secret_key RESTART IDENTITY CASCADE")
    owner.dispose()
    db = Database(logins["operator"])
    admin = GatewayAdmin(db, keyring=Keyring.from_keys(Fernet.generate_key()), actor="alice@hub")
    admin.create_account(name="Primary", set_default=True, **NEXMO)
    admin.create_identity_store(name="Corp AD")
    admin.modify_account("Primary", password="Op-secret-rotated")
    yield admin
    db.dispose()


def _refused(url: str, sql: str) -> str:
    engine = sa.create_engine(url)
    try:
        with pytest.raises(sa.exc.ProgrammingError) as err, engine.begin() as conn:
            conn.exec_driver_sql(sql)
        return str(err.value.orig)
    finally:
        engine.dispose()


def _run(url: str, sql: str) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.exec_driver_sql(sql)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def test_operator_may_only_append_to_the_audit(seeded, logins):
    op = logins["operator"]
    assert len(_run(op, "SELECT id FROM audit_event")) >= 3
    assert "permission denied" in _refused(op, "UPDATE audit_event SET actor = 'mallory'")
    assert "permission denied" in _refused(op, "DELETE FROM audit_event")
    assert "permission denied" in _refused(op, "TRUNCATE audit_event")
    assert "must be owner" in _refused(op, "ALTER TABLE audit_event DISABLE TRIGGER ALL")


def test_auditor_reads_everything_but_the_ciphertext(seeded, logins):
    au = logins["auditor"]
    for column in ("password_enc", "proxy_password_enc", "options_enc"):
        assert "permission denied" in _refused(au, f"SELECT {column} FROM gateway_account")
    assert "permission denied" in _refused(au, "SELECT * FROM gateway_account")
    assert _run(au, "SELECT name, user_name FROM gateway_account") == [("Primary", "key")]
    assert _run(au, "SELECT password_set FROM gateway_account_secret_state") == [(1,)]
    assert "permission denied" in _refused(au, "UPDATE gateway_account SET name = 'x'")
    assert "permission denied" in _refused(au, "INSERT INTO audit_event (at, actor, action, object_kind) "
                                               "VALUES (now(), 'a', 'b', 'c')")
    assert "permission denied" in _refused(au, "DELETE FROM identity_store")


def test_auditor_uses_the_toolkit_read_only(seeded, logins):
    auditor = GatewayAdmin(logins["auditor"], read_only=True)
    try:
        assert [a.name for a in auditor.list_accounts()] == ["Primary"]
        assert auditor.get_account("Primary").password_set is True
        assert list(auditor.accounts_frame()["password"]) == ["set"]
        assert len(auditor.audit_frame()) >= 3 and len(auditor.store_links_frame()) == 1
        assert auditor.test_history_frame().empty
        assert auditor.verify_audit().intact
        assert not auditor.can_use_secrets
        from smsgw_kit.ui import AdminCenter

        center = AdminCenter(auditor)  # every page of the Admin Center opens under the auditor's login
        for page in ("Identity Stores", "History", "Audit", "SMS Gateway"):
            center.open(page)
        assert center.page.table.count == 1
        center.close()
    finally:
        auditor.db.dispose()


def test_a_login_without_a_group_reads_nothing(seeded, logins):
    for table in ("gateway_account", "audit_event", "identity_store", "gateway_account_secret_state"):
        assert "permission denied" in _refused(logins["nobody"], f"SELECT 1 FROM {table}")


def test_the_database_vouches_for_the_actor(seeded, logins):
    events = _run(logins["auditor"], "SELECT actor, db_user FROM audit_event ORDER BY id")
    operator_login = sa.make_url(logins["operator"]).username
    assert {e[1] for e in events} == {operator_login} and {e[0] for e in events} == {"alice@hub"}
    # a client that claims another login is overruled by the database's trigger
    _run(logins["operator"], "INSERT INTO audit_event (at, actor, action, object_kind, db_user) "
                             "VALUES (now(), 'mallory', 'forged', 'x', 'postgres')")
    assert _run(logins["auditor"], "SELECT db_user FROM audit_event WHERE action = 'forged'") == [(operator_login,)]


def test_roles_exist_on_postgresql_only(tmp_path):
    with pytest.raises(StorageError, match="PostgreSQL only"):
        create_roles(sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}"))


def test_tables_added_later_are_granted_by_naming_convention(seeded, logins, pg_database_url):
    owner = sa.create_engine(pg_database_url)
    try:
        with owner.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS later_table")
            conn.exec_driver_sql("CREATE TABLE later_table (id int PRIMARY KEY, label text, token_enc text)")
            conn.exec_driver_sql("INSERT INTO later_table VALUES (1, 'a', 'ciphertext')")
        create_roles(owner)
        assert _run(logins["auditor"], "SELECT label FROM later_table") == [("a",)]
        assert "permission denied" in _refused(logins["auditor"], "SELECT token_enc FROM later_table")
        _run(logins["operator"], "UPDATE later_table SET label = 'b'")
    finally:
        with owner.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS later_table")
        owner.dispose()


def test_create_roles_from_several_sessions_at_once(pg_database_url):
    import threading

    engines = [sa.create_engine(pg_database_url) for _ in range(3)]
    errors: list[Exception] = []
    start = threading.Barrier(len(engines))

    def work(engine: sa.Engine) -> None:
        start.wait()
        try:
            create_roles(engine)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for engine in engines:
        engine.dispose()
    assert errors == []
