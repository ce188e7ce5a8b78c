"""What the configuration tests share: another environment's populated database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, Keyring


@contextmanager
def environment(path, populate: Callable[[GatewayAdmin], None]) -> Iterator[GatewayAdmin]:
    """A SQLite database at `path` under keys of its own, filled by `populate`, closed at the end."""
    db = Database(f"sqlite:///{path}")
    admin = GatewayAdmin(db, keyring=Keyring.from_keys(Fernet.generate_key()), actor="alice")
    populate(admin)
    yield admin
    db.dispose()
