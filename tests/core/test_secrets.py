"""Secrets are encrypted at rest, survive key rotation, and never show in clear anywhere."""

import logging
import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from smsgw_kit import GatewayAdmin, InvalidInput, Keyring, SecretsError

PASSWORD = "Pw-7f3a9c1e-unique"
PROXY_PASSWORD = "Px-2b8d4e6f-unique"


def _make(admin):
    return admin.create_account(
        name="Primary", gateway_type="Nexmo", user_name="key", password=PASSWORD, sender_id="GroupID",
        proxy_host_name="proxy.local", proxy_port=3128, proxy_user_name="pu", proxy_password=PROXY_PASSWORD,
        set_default=True,
    )


def _assert_clean(text: str) -> None:
    assert PASSWORD not in text and PROXY_PASSWORD not in text


def test_secrets_never_appear_in_clear(admin, caplog):
    caplog.set_level(logging.DEBUG)
    acc = _make(admin)
    admin.modify_account("Primary", password=PASSWORD + "2", proxy_password=PROXY_PASSWORD + "2")
    admin.create_identity_store(name="Corp")
    with pytest.raises(InvalidInput) as err:
        admin.modify_account("Primary", password=PASSWORD + "\x00")
    _assert_clean(str(err.value))
    with admin.db.engine.connect() as conn:
        for table in ("gateway_account", "audit_event", "identity_store"):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()
            _assert_clean(repr(rows))
    for frame in (admin.accounts_frame(), admin.audit_frame(), admin.store_links_frame(), admin.test_history_frame()):
        _assert_clean(frame.to_csv())
        _assert_clean(repr(frame.to_dict()))
    _assert_clean(repr(acc) + repr(admin.get_account("Primary")) + repr(admin) + repr(admin.keyring))
    _assert_clean(caplog.text)
    frame = admin.accounts_frame()
    assert list(frame["password"]) == ["set"] and list(frame["proxy_password"]) == ["set"]


def test_sqlite_file_holds_no_clear_secret(sqlite_admin):
    _make(sqlite_admin)
    sqlite_admin.db.dispose()
    path = Path(sqlite_admin.db.engine.url.database)
    blob = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"Primary" in blob  # the scan reads the real data
    assert PASSWORD.encode() not in blob and PROXY_PASSWORD.encode() not in blob


def test_decrypts_with_the_key_and_not_without(admin):
    _make(admin)
    from smsgw_kit.accounts import settings_of

    with admin.db.engine.connect() as conn:
        from sqlmodel import Session, select

        from smsgw_kit.models import GatewayAccount

        row = Session(bind=conn).exec(select(GatewayAccount)).one()
        settings = settings_of(row, admin.keyring)
    assert settings.password == PASSWORD and settings.proxy.password == PROXY_PASSWORD
    _assert_clean(repr(settings))
    wrong = Keyring.from_keys(Fernet.generate_key())
    with pytest.raises(SecretsError, match=admin.keyring.current) as refused:
        GatewayAdmin(admin.db, keyring=wrong, actor="x")  # refused at once, naming the expected key
    with admin.db.engine.connect() as conn:
        token = conn.exec_driver_sql("SELECT password_enc FROM gateway_account").scalar()
    assert admin.keyring.decrypt(token) == PASSWORD
    with pytest.raises(SecretsError) as err:
        wrong.decrypt(token)
    _assert_clean(str(err.value) + str(refused.value))


def test_rotation_reencrypts_everything_and_loses_nothing(database, tmp_path):
    path = tmp_path / "keys"
    admin = GatewayAdmin(database, keyring=Keyring.load(path=path), actor="tester")
    _make(admin)
    admin.create_account(name="B", gateway_type="Bulletin.net", user_name="u", password="other-secret")
    old_key = path.read_text().split()[0]
    count = admin.rotate_encryption_key()
    assert count == 3
    keys = path.read_text().split()
    assert len(keys) == 1 and keys[0] != old_key  # old key retired after success
    fresh = Keyring.load(path=path)
    with database.engine.connect() as conn:
        tokens = conn.exec_driver_sql("SELECT name, password_enc, proxy_password_enc FROM gateway_account ORDER BY name").all()
    assert fresh.decrypt(tokens[0][1]) == "other-secret"
    assert fresh.decrypt(tokens[1][1]) == PASSWORD and fresh.decrypt(tokens[1][2]) == PROXY_PASSWORD
    with pytest.raises(SecretsError):
        Keyring.from_keys(old_key).decrypt(tokens[1][1])
    assert admin.audit_frame(action="keys.rotate").iloc[0]["after"]["secrets_reencrypted"] == 3


def test_rotation_keeping_old_keys(database, tmp_path):
    path = tmp_path / "keys"
    admin = GatewayAdmin(database, keyring=Keyring.load(path=path), actor="tester")
    _make(admin)
    admin.rotate_encryption_key(retire_old_keys=False)
    assert len(path.read_text().split()) == 2


def test_key_file_is_created_private(tmp_path):
    path = tmp_path / "cfg" / "secret.keys"
    ring = Keyring.load(path=path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert Keyring.load(path=path).decrypt(ring.encrypt("x")) == "x"


def test_a_new_key_file_never_shows_empty_to_a_reader_starting_at_the_same_time(tmp_path):
    """Two notebooks opening a new database at once: one makes the key file, the other finds it whole."""
    from racing import together

    for round_ in range(40):
        path = tmp_path / f"round{round_}" / "secret.keys"
        rings = together(*(lambda path=path: Keyring.load(path=path) for _ in range(6)))
        assert not [r for r in rings if isinstance(r, Exception)], rings
        assert len({r.current for r in rings}) == 1 and path.read_text().strip()
        assert sorted(p.name for p in path.parent.iterdir()) == ["secret.keys"]  # nothing left aside


def test_a_file_system_without_hard_links_still_gets_a_private_key_file(tmp_path, monkeypatch):
    def refused(*_args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    path = tmp_path / "secret.keys"
    ring = Keyring.load(path=path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and Keyring.load(path=path).current == ring.current
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.keys"]


def test_a_keyring_forgets_what_it_decrypted_when_its_keys_change(tmp_path):
    path = tmp_path / "secret.keys"
    ring = Keyring.load(path=path)
    token = ring.encrypt(PASSWORD)
    assert ring.decrypt(token) == ring.decrypt(token) == PASSWORD  # the second from memory
    path.write_bytes(Fernet.generate_key() + b"\n")  # the key file replaced, its old key gone
    os.utime(path, ns=(1, 1))
    assert ring.refresh()
    with pytest.raises(SecretsError):
        ring.decrypt(token)


def test_keys_from_environment_first_encrypts_all_decrypt(monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Keyring.from_keys(old).encrypt("s")
    monkeypatch.setenv("SMSGW_KIT_SECRET_KEYS", f"{new},{old}")
    ring = Keyring.load()
    assert ring.source == "environment" and ring.decrypt(token) == "s"
    assert Keyring.from_keys(new).decrypt(ring.encrypt("t")) == "t"


def test_bad_key_in_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SMSGW_KIT_SECRET_KEYS", "not-a-key")
    with pytest.raises(SecretsError, match="not a valid Fernet key"):
        Keyring.load()


def test_environment_keys_rotate_by_reencrypting_under_the_first(database, monkeypatch):
    old = Fernet.generate_key().decode()
    monkeypatch.setenv("SMSGW_KIT_SECRET_KEYS", old)
    admin = GatewayAdmin(database, actor="tester")
    _make(admin)
    with pytest.raises(InvalidInput, match="SMSGW_KIT_SECRET_KEYS"):
        admin.rotate_encryption_key(new_key=Fernet.generate_key().decode())
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("SMSGW_KIT_SECRET_KEYS", f"{new},{old}")
    admin.keyring = Keyring.load()
    assert admin.rotate_encryption_key() == 2
    with database.engine.connect() as conn:
        token = conn.exec_driver_sql("SELECT password_enc FROM gateway_account").scalar()
    assert Keyring.from_keys(new).decrypt(token) == PASSWORD


def test_another_kernel_rotating_the_key_file_does_not_break_this_one(database, tmp_path):
    path = tmp_path / "keys"
    mine = GatewayAdmin(database, keyring=Keyring.load(path=path), actor="me")
    _make(mine)
    theirs = GatewayAdmin(database, keyring=Keyring.load(path=path), actor="them")
    theirs.rotate_encryption_key()  # retires the key `mine` still holds
    from smsgw_kit.testing import ProviderEmulator

    with ProviderEmulator() as emu:
        mine.modify_account("Primary", gateway_url=emu.url_for("Nexmo"))
        report = mine.test_connection("Primary")  # must decrypt with the reloaded key
    assert report.stages  # it ran; the credentials (wrong for the emulator) are not the point
    assert mine.keyring.key_count == 1


def test_verify_secrets_without_network(admin):
    _make(admin)
    assert admin.verify_secrets() == 2
    admin.keyring = Keyring.from_keys(Fernet.generate_key())
    with pytest.raises(SecretsError, match="'Primary'"):
        admin.verify_secrets()
