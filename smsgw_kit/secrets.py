"""Encryption of credentials at rest: loading the keys, encrypting, decrypting and rotating them."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import SecretsError

KEYS_ENV = "SMSGW_KIT_SECRET_KEYS"
KEY_FILE_ENV = "SMSGW_KIT_KEY_FILE"


def default_key_file() -> Path:
    """Where the key file lives when no key comes from the environment."""
    override = os.environ.get(KEY_FILE_ENV)
    if override:
        return Path(override)
    return platformdirs.user_config_path("smsgw_kit") / "secret.keys"


def _parse(text: str, origin: str) -> list[bytes]:
    keys = [k.strip().encode() for k in text.replace(",", "\n").splitlines() if k.strip()]
    for i, key in enumerate(keys):
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise SecretsError(
                f"Key #{i + 1} in {origin} is not a valid Fernet key (32 url-safe base64 bytes)."
            ) from exc
    if not keys:
        raise SecretsError(f"{origin} holds no key.")
    return keys


def _write_key_file(path: Path, keys: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(b"\n".join(keys) + b"\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


class Keyring:
    """The keys that protect credentials; the first encrypts, all of them decrypt."""

    def __init__(self, keys: list[bytes], *, source: str, path: Path | None = None):
        self._keys = list(keys)
        self._fernet = MultiFernet([Fernet(k) for k in self._keys])
        self.source = source
        self.path = path

    def __repr__(self) -> str:
        return f"Keyring(source={self.source!r}, keys={len(self._keys)})"

    @classmethod
    def load(cls, *, path: Path | None = None) -> Keyring:
        """Keys from SMSGW_KIT_SECRET_KEYS (comma-separated, first is current), else the key file."""
        env = os.environ.get(KEYS_ENV)
        if env and path is None:
            return cls(_parse(env, KEYS_ENV), source="environment")
        path = Path(path) if path else default_key_file()
        try:
            return cls(_parse(path.read_text(), str(path)), source="file", path=path)
        except FileNotFoundError:
            keys = [Fernet.generate_key()]
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it first: use theirs
                return cls.load(path=path)
            with os.fdopen(fd, "wb") as fh:
                fh.write(keys[0] + b"\n")
            return cls(keys, source="file", path=path)
        except OSError as exc:
            raise SecretsError(f"Cannot read the key file {path}: {exc.strerror}.") from exc

    @classmethod
    def from_keys(cls, *keys: str | bytes) -> Keyring:
        """A keyring held in memory only (tests, or keys from a vault)."""
        raw = [k.encode() if isinstance(k, str) else k for k in keys]
        return cls(_parse(b"\n".join(raw).decode(), "the given keys"), source="memory")

    @property
    def key_count(self) -> int:
        return len(self._keys)

    def encrypt(self, plaintext: str | None) -> str | None:
        if plaintext is None or plaintext == "":
            return None
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            if self._reload_from_file():  # another kernel may have rotated the key since we loaded it
                return self.decrypt(token)
            raise SecretsError(
                "A stored credential cannot be decrypted with the available keys "
                f"({self.source}). Was the key file replaced or a key removed too early?"
            ) from exc

    def _reload_from_file(self) -> bool:
        if self.source != "file" or self.path is None:
            return False
        try:
            keys = _parse(self.path.read_text(), str(self.path))
        except (OSError, SecretsError):
            return False
        if keys == self._keys:
            return False
        self._keys, self._fernet = keys, MultiFernet([Fernet(k) for k in keys])
        return True

    def reencrypt(self, token: str | None) -> str | None:
        """The same secret, encrypted under the current (first) key."""
        if not token:
            return None
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretsError("A stored credential cannot be decrypted with the available keys.") from exc

    def with_new_primary(self, key: bytes | None = None) -> Keyring:
        """A keyring whose current key is `key` (new if not given), the old keys kept for decrypting."""
        key = key or Fernet.generate_key()
        _parse(key.decode(), "the new key")
        return Keyring([key, *self._keys], source=self.source, path=self.path)

    def retired(self) -> Keyring:
        """A keyring holding only the current key."""
        return Keyring(self._keys[:1], source=self.source, path=self.path)

    def save(self) -> None:
        """Write the keys to the key file (0600); keys from the environment cannot be saved."""
        if self.source != "file" or self.path is None:
            raise SecretsError(
                f"Keys come from the {self.source}; put the new key first in {KEYS_ENV} instead."
            )
        _write_key_file(self.path, self._keys)

    def export_primary(self) -> str:
        """The current key, for moving it into a vault or SMSGW_KIT_SECRET_KEYS (handle with care)."""
        return self._keys[0].decode()

