"""Encryption of credentials at rest: loading the keys, fingerprints, encrypting, decrypting and rotating."""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import platformdirs
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import KeyNeeded, SecretsError

KEYS_ENV = "SMSGW_KIT_SECRET_KEYS"
KEY_FILE_ENV = "SMSGW_KIT_KEY_FILE"
SEP = ":"  # a stored secret is "<key fingerprint>:<Fernet token>", so it names the key it is under
PLAIN_CACHE = 1024  # decrypted tokens a keyring remembers (see Keyring._set)


def default_key_file() -> Path:
    """Where the key file lives when no key comes from the environment."""
    override = os.environ.get(KEY_FILE_ENV)
    if override:
        return Path(override)
    return platformdirs.user_config_path("smsgw_kit") / "secret.keys"


def fingerprint(key: bytes) -> str:
    """A short public name for a key (SHA-256 of the key, 16 hex digits); it reveals nothing of the key."""
    return hashlib.sha256(b"smsgw_kit key fingerprint\0" + key).hexdigest()[:16]


def key_of(token: str | None) -> str | None:
    """The fingerprint a stored secret names (None for secrets stored before fingerprints existed)."""
    if token and SEP in token:
        return token.split(SEP, 1)[0]
    return None


def where_keys_are_looked_for() -> str:
    """The places keys are read from, in order, for error messages."""
    return (f"the environment variable {KEYS_ENV} (comma-separated, current key first), "
            f"else the key file {default_key_file()} (set {KEY_FILE_ENV} to use another file)")


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


def _write_private(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write `data` to `path`, readable by this user only (0600), and sync it to disk; with `exclusive`,
    FileExistsError if `path` exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC), 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600)  # a leftover file keeps its mode through O_TRUNC
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _write_key_file(path: Path, keys: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    _write_private(tmp, b"\n".join(keys) + b"\n")
    os.replace(tmp, path)


def _place_new_file(path: Path, data: bytes) -> bool:
    """Create `path` (0600) holding `data`, whole from the first moment anyone can read it; False if it exists.

    Written aside and hard-linked into place (the link fails if the file exists), so a reader starting at
    the same moment finds no file or all of it, never an empty file; created in place on a file system
    without hard links.
    """
    aside = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    try:
        _write_private(aside, data)
        try:
            os.link(aside, path)
            return True
        except FileExistsError:
            return False
        except OSError:
            pass  # no hard links here
    finally:
        aside.unlink(missing_ok=True)
    try:
        _write_private(path, data, exclusive=True)
    except FileExistsError:
        return False
    return True


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the key file's companion lock file, across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime_ns if path else None
    except OSError:
        return None


class Keyring:
    """The keys that protect credentials; `current` encrypts, every key decrypts the secrets it made."""

    def __init__(self, keys: list[bytes], *, source: str, path: Path | None = None):
        self._set(keys)
        self.source = source
        self.path = path
        self._seen = _mtime(path)
        self.expected: str | None = None  # the database's current key, once known: encrypt under it

    def _set(self, keys: list[bytes]) -> None:
        self._keys = list(keys)
        self._by_fp = {fingerprint(k): Fernet(k) for k in self._keys}
        self._fernet = MultiFernet([Fernet(k) for k in self._keys])
        # Tokens this keyring has decrypted (a token never changes meaning): send_code reads the same
        # accounts' secrets on every call. Forgotten whenever the keys change.
        self._plain: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Keyring(source={self.source!r}, keys={len(self._keys)}, current={self.current!r})"

    @classmethod
    def find(cls, *, path: Path | None = None) -> Keyring | None:
        """Keys from SMSGW_KIT_SECRET_KEYS (comma-separated, first is current), else the key file, else None."""
        env = os.environ.get(KEYS_ENV)
        if env and path is None:
            return cls(_parse(env, KEYS_ENV), source="environment")
        path = Path(path) if path else default_key_file()
        try:
            return cls(_parse(path.read_text(), str(path)), source="file", path=path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SecretsError(f"Cannot read the key file {path}: {exc.strerror}.") from exc

    @classmethod
    def create(cls, *, path: Path | None = None) -> Keyring:
        """A new key in a new key file (0600); if another process created the file first, its keys."""
        path = Path(path) if path else default_key_file()
        key = Fernet.generate_key()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not _place_new_file(path, key + b"\n"):
            ring = cls.find(path=path)
            assert ring is not None  # the file exists: another process has just created it
            return ring
        return cls([key], source="file", path=path)

    @classmethod
    def load(cls, *, path: Path | None = None) -> Keyring:
        """The keys found (see `find`), or a new key file when there is none (for a new, empty database)."""
        return cls.find(path=path) or cls.create(path=path)

    @classmethod
    def from_keys(cls, *keys: str | bytes) -> Keyring:
        """A keyring held in memory only (tests, or keys from a vault)."""
        raw = [k.encode() if isinstance(k, str) else k for k in keys]
        return cls(_parse(b"\n".join(raw).decode(), "the given keys"), source="memory")

    @property
    def key_count(self) -> int:
        return len(self._keys)

    @property
    def fingerprints(self) -> tuple[str, ...]:
        return tuple(self._by_fp)

    @property
    def current(self) -> str:
        """The fingerprint new secrets are encrypted under: the database's current key when known."""
        return self.expected if self.expected in self._by_fp else fingerprint(self._keys[0])

    def where(self) -> str:
        return {"environment": f"the environment variable {KEYS_ENV}", "file": f"the key file {self.path}",
                "memory": "keys given in memory"}.get(self.source, self.source)

    def has(self, fp: str) -> bool:
        """True if this keyring holds the key `fp` (re-reading the key file if it changed)."""
        if fp not in self._by_fp:
            self.refresh()
        return fp in self._by_fp

    def refresh(self) -> bool:
        """Re-read the key file if another session changed it since; True if the keys changed."""
        if self.source != "file" or self.path is None or _mtime(self.path) == self._seen:
            return False
        try:
            keys = _parse(self.path.read_text(), str(self.path))
        except (OSError, SecretsError):
            return False
        self._seen = _mtime(self.path)
        if keys == self._keys:
            return False
        self._set(keys)
        return True

    def encrypt(self, plaintext: str | None) -> str | None:
        if plaintext is None or plaintext == "":
            return None
        fp = self.current
        return f"{fp}{SEP}{self._by_fp[fp].encrypt(plaintext.encode()).decode()}"

    def decrypt(self, token: str | None) -> str | None:
        if not token:
            return None
        known = self._plain.get(token)
        if known is not None:
            return known
        plain = self._decrypt(token)
        if len(self._plain) >= PLAIN_CACHE:
            self._plain.clear()
        self._plain[token] = plain
        return plain

    def _decrypt(self, token: str) -> str:
        fp = key_of(token)
        if fp is not None and not self.has(fp):
            raise SecretsError(
                f"A stored credential is encrypted under the key {fp}, which is not among the keys from "
                f"{self.where()}. Restore that key (see the README: 'Keys'); keys are looked for in "
                f"{where_keys_are_looked_for()}."
            )
        try:
            if fp is not None:
                return self._by_fp[fp].decrypt(token.split(SEP, 1)[1].encode()).decode()
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            if self.refresh():
                return self._decrypt(token)
            raise SecretsError(
                f"A stored credential cannot be decrypted with the keys from {self.where()}. "
                "Was the key file replaced or a key removed too early?"
            ) from exc

    def reencrypt(self, token: str | None) -> str | None:
        """The same secret, encrypted under the current key."""
        return self.encrypt(self.decrypt(token)) if token else None

    def with_new_primary(self, key: bytes | None = None) -> Keyring:
        """A keyring whose current key is `key` (new if not given), the old keys kept for decrypting."""
        key = key or Fernet.generate_key()
        _parse(key.decode(), "the new key")
        ring = Keyring([key, *[k for k in self._keys if k != key]], source=self.source, path=self.path)
        ring.expected = fingerprint(key)
        return ring

    def promoting_first(self) -> Keyring:
        """This keyring with its first key as the current one (keys from the environment, rotated by hand)."""
        return self.with_new_primary(self._keys[0])

    def retired(self) -> Keyring:
        """A keyring holding only the current key."""
        keep = self.current
        ring = Keyring([k for k in self._keys if fingerprint(k) == keep], source=self.source, path=self.path)
        ring.expected = keep
        return ring

    def save(self, *, drop: tuple[str, ...] = ()) -> None:
        """Merge these keys into the key file (0600), current first, removing only the fingerprints in `drop`.

        Merging under a file lock means two kernels saving at once never lose each other's key.
        """
        if self.source != "file" or self.path is None:
            raise SecretsError(
                f"Keys come from the {self.source}; put the new key first in {KEYS_ENV} instead."
            )
        with _locked(self.path):
            try:
                on_disk = _parse(self.path.read_text(), str(self.path))
            except (FileNotFoundError, SecretsError):
                on_disk = []
            merged = [k for k in dict.fromkeys([*self._keys, *on_disk]) if fingerprint(k) not in drop]
            merged.sort(key=lambda k: fingerprint(k) != self.current)
            _write_key_file(self.path, merged)
        self._set(merged)
        self._seen = _mtime(self.path)

    def export_primary(self) -> str:
        """The current key, for moving it into a vault or SMSGW_KIT_SECRET_KEYS (handle with care)."""
        return next(k for k in self._keys if fingerprint(k) == self.current).decode()


class NoKeys:
    """The keyring of a connection without keys: reading works, anything needing a secret is refused."""

    source = "none"
    path = None
    key_count = 0
    fingerprints: tuple[str, ...] = ()
    current = None
    expected = None

    def __init__(self, why: str):
        self.why = why

    def __repr__(self) -> str:
        return "NoKeys()"

    def _refuse(self, *_: object) -> NoReturn:
        raise KeyNeeded(f"This needs the encryption key, and {self.why}. Connect with the key "
                        f"({where_keys_are_looked_for()}) to test accounts, save passwords or rotate keys.")

    encrypt = decrypt = reencrypt = with_new_primary = save = export_primary = _refuse

    def has(self, fp: str) -> bool:
        return False

    def refresh(self) -> bool:
        return False
