"""The audit trail is a hash chain: edits, deletions and reorderings made in SQL are each detected and named."""

from __future__ import annotations

import threading

from smsgw_kit import Database, GatewayAdmin

NEXMO = {"gateway_type": "Nexmo", "user_name": "key", "password": "Chain-pw-91", "sender_id": "GroupID"}


def _history(admin: GatewayAdmin) -> list[int]:
    admin.create_account(name="Primary", set_default=True, **NEXMO)
    admin.create_account(name="Backup", **NEXMO)
    admin.create_identity_store(name="Corp AD")
    admin.link("Corp AD", "Backup")
    admin.modify_account("Primary", password="Chain-pw-92", sender_id="Other")
    with admin.db.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT id FROM audit_event ORDER BY id")]


def _sql(admin: GatewayAdmin, *statements: str) -> None:
    with admin.db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def test_an_untouched_trail_is_intact(admin):
    ids = _history(admin)
    check = admin.verify_audit()
    assert check.intact and check.events == len(ids) == 6 and len(check.head) == 64
    assert "intact" in str(check)


def test_an_edited_event_is_named(admin):
    ids = _history(admin)
    _sql(admin, f"UPDATE audit_event SET actor = 'someone-else' WHERE id = {ids[2]}")
    check = admin.verify_audit()
    assert not check.intact and check.event_id == ids[2]
    assert f"event #{ids[2]}" in check.problem and "altered" in check.problem


def test_an_edited_value_inside_the_json_is_named(admin):
    ids = _history(admin)
    _sql(admin, f"UPDATE audit_event SET after = '{{\"default\": \"Backup\"}}' WHERE id = {ids[1]}")
    assert admin.verify_audit().event_id == ids[1]


def test_a_removed_event_is_detected(admin):
    ids = _history(admin)
    _sql(admin, f"DELETE FROM audit_event WHERE id = {ids[3]}")
    check = admin.verify_audit()
    assert not check.intact and check.event_id == ids[4] and "removed" in check.problem


def test_removing_the_first_event_is_detected(admin):
    ids = _history(admin)
    _sql(admin, f"DELETE FROM audit_event WHERE id = {ids[0]}")
    check = admin.verify_audit()
    assert check.event_id == ids[1] and "start of the trail" in check.problem


def test_reordered_events_are_detected(admin):
    ids = _history(admin)
    a, b = ids[1], ids[3]
    _sql(admin, f"UPDATE audit_event SET id = -1 WHERE id = {a}", f"UPDATE audit_event SET id = {a} WHERE id = {b}",
         f"UPDATE audit_event SET id = {b} WHERE id = -1")
    check = admin.verify_audit()
    assert not check.intact and check.event_id == a and "out of order" in check.problem


def test_a_forged_event_without_its_hash_is_detected(admin):
    ids = _history(admin)
    _sql(admin, "INSERT INTO audit_event (at, actor, action, object_kind) VALUES "
                "('2026-01-01 00:00:00', 'mallory', 'account.delete', 'account')")
    check = admin.verify_audit()
    assert not check.intact and check.event_id > ids[-1]


def test_concurrent_writers_do_not_fork_the_chain(database_url, keyring):
    """Eight sessions appending at once: one chain, every event on it."""
    admins = [GatewayAdmin(Database(database_url), keyring=keyring, actor=f"op{i}") for i in range(4)]
    start = threading.Barrier(len(admins))
    errors: list[Exception] = []

    def work(i: int, admin: GatewayAdmin) -> None:
        start.wait()
        try:
            for n in range(3):
                admin.create_identity_store(name=f"Store {i}-{n}")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, a)) for i, a in enumerate(admins)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        check = admins[0].verify_audit()
        assert check.intact and check.events == 12
    finally:
        for admin in admins:
            admin.db.dispose()
