"""The database itself refuses what breaks a rule, even when SQL bypasses the service."""

import pytest
import sqlalchemy as sa

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


def _insert_account(conn, name, *, default=False, port=None):
    conn.execute(sa.text(
        "INSERT INTO gateway_account (name, name_key, gateway_type, gateway_url, options, is_default, proxy_port,"
        " connect_timeout, read_timeout, version, created_at, created_by, updated_at, updated_by)"
        " VALUES (:n, :k, 'Nexmo', '', '{}', :d, :p, 5, 15, 1, CURRENT_TIMESTAMP, 'sql', CURRENT_TIMESTAMP, 'sql')"
    ), {"n": name, "k": name.strip().lower(), "d": default, "p": port})


def test_duplicate_name_key_refused(database):
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as conn:
        _insert_account(conn, "A")
        _insert_account(conn, "a ")


def test_second_default_refused_by_partial_unique_index(database):
    with database.engine.begin() as conn:
        _insert_account(conn, "A", default=True)
        _insert_account(conn, "B")
        _insert_account(conn, "C")  # many non-defaults are fine
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as conn:
        conn.execute(sa.text("UPDATE gateway_account SET is_default = :t WHERE name = 'B'"), {"t": True})


@pytest.mark.parametrize("port", [0, 65536, -5])
def test_port_range_checked(database, port):
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as conn:
        _insert_account(conn, "A", port=port)


def test_linked_account_cannot_be_deleted_by_sql(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_identity_store(name="Corp")
    with pytest.raises(sa.exc.IntegrityError), admin.db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM gateway_account WHERE name = 'A'"))
    assert admin.get_account("A")


def test_sms_text_without_code_refused_by_sql(admin):
    admin.create_identity_store(name="Corp")
    with pytest.raises(sa.exc.IntegrityError), admin.db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE identity_store SET sms_text = 'no code [code]'"))


def test_test_history_survives_account_deletion(admin):
    acc = admin.create_account(name="A", **NEXMO)
    with admin.db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO connection_test_run (gateway_account_id, account_name, gateway_type, started_at,"
            " duration_ms, outcome, summary, stages, run_by) VALUES (:i, 'A', 'Nexmo', CURRENT_TIMESTAMP,"
            " 1, 'passed', '', '[]', 'sql')"), {"i": acc.id})
    admin.delete_account("A")
    history = admin.test_history_frame()
    assert list(history["account_name"]) == ["A"] and history["gateway_account_id"].isna().all()
