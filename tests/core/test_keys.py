"""Keys that cannot be lost: the database knows its key, refuses others, and no rotation or race loses a secret."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, InvalidInput, Keyring, SecretsError
from smsgw_kit.errors import KeyNeeded, ReadOnly, StaleKey
from smsgw_kit.secrets import KEY_FILE_ENV, KEYS_ENV, fingerprint

PASSWORDS = {"Primary": "Key-pw-1a2b3c", "Backup": "Key-pw-4d5e6f"}


def _seed(admin: GatewayAdmin) -> None:
    for name, password in PASSWORDS.items():
        admin.create_account(name=name, gateway_type="Nexmo", user_name="key", password=password, sender_id="GroupID")


def _passwords(database: Database, ring: Keyring) -> dict[str, str]:
    with database.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, password_enc FROM gateway_account ORDER BY name").all()
    return {name: ring.decrypt(token) for name, token in rows}


@pytest.fixture
def key_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "keys" / "secret.keys"
    monkeypatch.setenv(KEY_FILE_ENV, str(path))
    monkeypatch.delenv(KEYS_ENV, raising=False)
    return path


def test_a_new_database_gets_a_new_key_file(database, key_file):
    admin = GatewayAdmin(database, actor="me")
    assert key_file.exists()
    _seed(admin)
    with database.engine.connect() as conn:
        recorded = conn.exec_driver_sql("SELECT fingerprint FROM secret_key WHERE is_current").scalar()
    assert recorded == fingerprint(key_file.read_text().split()[0].encode()) == admin.keyring.current
    assert key_file.read_text().split()[0] not in recorded  # a fingerprint, never the key


def test_a_lost_key_file_is_refused_not_replaced(database, key_file):
    _seed(GatewayAdmin(database, actor="me"))
    backup = key_file.with_name("backup.keys")
    shutil.copy(key_file, backup)
    expected = GatewayAdmin(database, actor="me").keyring.current
    key_file.unlink()

    with pytest.raises(SecretsError) as err:
        GatewayAdmin(database, actor="me")
    text = str(err.value)
    assert expected in text and str(key_file) in text and KEYS_ENV in text and "read_only=True" in text
    assert not key_file.exists()  # no new key was made for a database that holds secrets

    auditor = GatewayAdmin(database, read_only=True)  # reading needs no key
    assert sorted(a.name for a in auditor.list_accounts()) == sorted(PASSWORDS)

    shutil.copy(backup, key_file)  # restore from the backup
    restored = GatewayAdmin(database, actor="me")
    assert restored.verify_secrets() == 2
    assert _passwords(database, restored.keyring) == PASSWORDS


def test_a_replaced_key_file_is_refused_and_nothing_is_written_under_it(database, key_file):
    _seed(GatewayAdmin(database, actor="me"))
    original = key_file.read_text()
    expected = fingerprint(original.split()[0].encode())
    key_file.write_text(Fernet.generate_key().decode() + "\n")

    with pytest.raises(SecretsError, match=expected):
        GatewayAdmin(database, actor="me")

    key_file.write_text(original)
    admin = GatewayAdmin(database, actor="me")
    assert _passwords(database, admin.keyring) == PASSWORDS


def test_keys_from_the_environment_that_miss_the_key_are_refused(database, key_file, monkeypatch):
    _seed(GatewayAdmin(database, actor="me"))
    monkeypatch.setenv(KEYS_ENV, Fernet.generate_key().decode())
    with pytest.raises(SecretsError, match=KEYS_ENV):
        GatewayAdmin(database, actor="me")
    monkeypatch.setenv(KEYS_ENV, f"{Fernet.generate_key().decode()},{key_file.read_text().strip()}")
    assert GatewayAdmin(database, actor="me").verify_secrets() == 2  # the right key anywhere in the list


def test_a_database_whose_secrets_are_all_gone_accepts_a_new_key(database, key_file):
    admin = GatewayAdmin(database, actor="me")
    _seed(admin)
    for name in PASSWORDS:
        admin.delete_account(name)
    key_file.unlink()
    fresh = GatewayAdmin(database, actor="me")
    fresh.create_account(name="New", gateway_type="Nexmo", user_name="k", password="brand-new-pw", sender_id="G")
    assert fresh.verify_secrets() == 1


def test_after_losing_the_key_for_good_secrets_are_discarded_and_a_new_key_made(database, key_file):
    from smsgw_kit.keystore import discard_secrets

    _seed(GatewayAdmin(database, actor="me"))
    key_file.unlink()
    with pytest.raises(SecretsError):
        GatewayAdmin(database, actor="me")
    assert discard_secrets(database, actor="me") == 2
    admin = GatewayAdmin(database, actor="me")  # a new key, for a database that holds no secret now
    assert key_file.exists() and admin.verify_secrets() == 0
    admin.modify_account("Primary", password="re-entered-pw")
    assert _passwords(database, Keyring.load(path=key_file))["Primary"] == "re-entered-pw"
    assert admin.audit_frame(action="keys.discard").iloc[0]["after"] == {"secrets_discarded": 2}
    assert admin.verify_audit().intact


def test_rotation_by_another_kernel_is_followed_before_writing(database, key_file):
    mine = GatewayAdmin(database, actor="me")
    _seed(mine)
    theirs = GatewayAdmin(database, actor="them")
    theirs.rotate_encryption_key()  # retires the key `mine` encrypts with
    mine.modify_account("Primary", password="after-their-rotation")
    fresh = Keyring.load(path=key_file)
    assert _passwords(database, fresh) == {**PASSWORDS, "Primary": "after-their-rotation"}
    assert mine.keyring.current == theirs.keyring.current == fresh.current


def test_a_kernel_opening_while_another_rotates_follows_the_rotation(database, key_file, monkeypatch):
    """Opening reads the database's key state, then the key file: another kernel's whole rotation can fall
    in between (seen in the two-process test), leaving a state that names the retired key and a file
    that holds only the new one."""
    from smsgw_kit import keystore

    _seed(GatewayAdmin(database, actor="setup"))
    real, rotated = keystore.read_state, []

    def then_another_kernel_rotates(conn):
        state = real(conn)
        if not rotated:
            rotated.append("them")  # (their own opening reads the state too)
            GatewayAdmin(database, actor="them").rotate_encryption_key()
        return state

    monkeypatch.setattr(keystore, "read_state", then_another_kernel_rotates)
    mine = GatewayAdmin(database, actor="me")
    assert rotated and mine.verify_secrets() == 2 and mine.keyring.current == Keyring.load(path=key_file).current


def test_a_kernel_without_the_new_key_is_refused_before_writing(database, key_file, monkeypatch):
    old = Fernet.generate_key().decode()
    monkeypatch.setenv(KEYS_ENV, old)
    behind = GatewayAdmin(database, actor="behind")
    _seed(behind)
    new = Fernet.generate_key().decode()
    monkeypatch.setenv(KEYS_ENV, f"{new},{old}")
    GatewayAdmin(database, actor="rotator").rotate_encryption_key()

    with pytest.raises(StaleKey, match=fingerprint(new.encode())) as err:
        behind.modify_account("Primary", password="would-be-lost")
    assert "nothing was saved" in str(err.value)
    assert _passwords(database, Keyring.from_keys(new)) == PASSWORDS  # the old value, readable


def test_read_only_connections_refuse_what_needs_a_key(admin, key_file):
    _seed(admin)
    auditor = GatewayAdmin(admin.db, read_only=True)
    assert not auditor.can_use_secrets and admin.can_use_secrets
    assert len(auditor.accounts_frame()) == 2 and auditor.get_account("Primary").password_set
    assert len(auditor.audit_frame()) == 2 and auditor.verify_audit().intact
    for action in (lambda: auditor.test_connection("Primary"), lambda: auditor.test_accounts(),
                   lambda: auditor.rotate_encryption_key(), lambda: auditor.verify_secrets(),
                   lambda: auditor.test_settings(gateway_type="Nexmo", user_name="u", password="p")):
        with pytest.raises(KeyNeeded, match="needs the encryption key"):
            action()
    with pytest.raises(ReadOnly, match="read_only=True"):
        auditor.modify_account("Primary", password="x-new-password")
    with pytest.raises(ReadOnly):
        auditor.create_identity_store(name="Sneaky")
    assert not key_file.exists()  # a read-only connection never makes a key


def test_one_unreadable_account_fails_alone(admin):
    from smsgw_kit.testing import ProviderEmulator

    _seed(admin)
    with admin.db.engine.begin() as conn:  # as if saved by a kernel whose key was lost
        token = Keyring.from_keys(Fernet.generate_key()).encrypt("x").split(":", 1)[1]
        conn.exec_driver_sql(f"UPDATE gateway_account SET password_enc = '{token}' WHERE name = 'Backup'")
    with ProviderEmulator() as emu:
        for name in PASSWORDS:
            admin.modify_account(name, gateway_url=emu.url_for("Nexmo"))
        reports = admin.test_accounts()
    assert list(reports) == ["Backup", "Primary"]
    assert reports["Backup"].outcome == "failed" and "cannot be decrypted" in reports["Backup"].summary
    assert reports["Primary"].stages  # tested for real


def test_environment_rotation_with_a_new_key_argument_is_refused(database, key_file, monkeypatch):
    monkeypatch.setenv(KEYS_ENV, Fernet.generate_key().decode())
    admin = GatewayAdmin(database, actor="me")
    with pytest.raises(InvalidInput, match=KEYS_ENV):
        admin.rotate_encryption_key(new_key=Fernet.generate_key().decode())


WORKER = textwrap.dedent("""
    import json, sys
    from smsgw_kit import GatewayAdmin, SmsgwError
    url, me, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    admin = GatewayAdmin(url, actor=me)
    saved, refused, rotations = None, [], 0
    for i in range(rounds):
        try:
            admin.rotate_encryption_key()
            rotations += 1
        except SmsgwError as exc:
            refused.append(type(exc).__name__)
        password = f"{me}-pw-{i}"
        try:
            admin.modify_account(me, password=password)
            saved = password
        except SmsgwError as exc:
            refused.append(type(exc).__name__)
    admin.db.dispose()
    print(json.dumps({"saved": saved, "refused": refused, "rotations": rotations}))
""")


def test_two_processes_rotating_and_writing_at_once_lose_nothing(database, database_url, key_file):
    admin = GatewayAdmin(database, actor="setup")
    for me in ("kernel-a", "kernel-b"):
        admin.create_account(name=me, gateway_type="Nexmo", user_name="k", password=f"{me}-pw-start", sender_id="G")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path.cwd()), os.environ.get("PYTHONPATH")]))}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, database_url, me, "6"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for me in ("kernel-a", "kernel-b")]
    results = {}
    for me, worker in zip(("kernel-a", "kernel-b"), workers, strict=True):
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err
        results[me] = json.loads(out.strip().splitlines()[-1])

    fresh = Keyring.load(path=key_file)  # what the next kernel will load
    stored = _passwords(database, fresh)
    assert stored == {me: r["saved"] or f"{me}-pw-start" for me, r in results.items()}  # 0 secrets lost
    assert sum(r["rotations"] for r in results.values()) >= 6
    assert {kind for r in results.values() for kind in r["refused"]} <= {"StaleKey", "Conflict", "SecretsError"}
    assert GatewayAdmin(database, actor="check").verify_secrets() == 2


def test_a_database_from_before_fingerprints_is_upgraded_and_checked(database_url, tmp_path):
    """Secrets stored as bare Fernet tokens and audit events without hashes (revision 0001) keep working."""
    import sqlalchemy as sa
    from alembic import command

    from smsgw_kit.db import alembic_config, create_engine

    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS secret_key")
        conn.exec_driver_sql("DROP VIEW IF EXISTS gateway_account_secret_state")
        from sqlmodel import SQLModel

        # every table the models know (later migrations add some), so the upgrade from 0001 starts clean
        for table in [*(t.name for t in reversed(SQLModel.metadata.sorted_tables)), "alembic_version"]:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}" + (" CASCADE" if engine.dialect.name != "sqlite" else ""))
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS smsgw_audit_db_user() CASCADE")
    command.upgrade(alembic_config(engine), "0001")
    key = Fernet.generate_key()
    legacy_token = Fernet(key).encrypt(b"legacy-pw-77").decode()  # no fingerprint prefix
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO gateway_account (version, created_at, created_by, updated_at, updated_by, name, name_key, "
            "gateway_type, gateway_url, user_name, password_enc, sender_id, connect_timeout, read_timeout, options, "
            "is_default) VALUES (1, :t, 'old', :t, 'old', 'Old', 'old', 'Nexmo', 'https://x', 'k', :pw, 'S', 5, 15, "
            "'{}', false)"), {"t": "2026-01-01 00:00:00", "pw": legacy_token})
        conn.execute(sa.text("INSERT INTO audit_event (at, actor, action, object_kind, object_name, after) "
                             "VALUES (:t, 'old', 'account.create', 'account', 'Old', '{\"name\": \"Old\"}')"),
                     {"t": "2026-01-01 00:00:00"})
    engine.dispose()

    database = Database(database_url)  # upgrades to the newest revision, chaining the old events
    try:
        with pytest.raises(SecretsError, match="cannot read the stored secrets"):
            GatewayAdmin(database, keyring=Keyring.from_keys(Fernet.generate_key()), actor="me")
        admin = GatewayAdmin(database, keyring=Keyring.from_keys(key), actor="me")
        assert admin.verify_secrets() == 1 and admin.verify_audit().intact
        admin.create_account(name="New", gateway_type="Nexmo", user_name="k", password="new-pw-88", sender_id="S")
        assert admin.verify_audit().events == 2
        assert _passwords(database, Keyring.from_keys(key)) == {"New": "new-pw-88", "Old": "legacy-pw-77"}
    finally:
        database.dispose()
