"""Where the data lives: embedded SQLite by default, any URL by argument or environment, clear errors."""

import pytest

from smsgw_kit import Database, StorageError
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
