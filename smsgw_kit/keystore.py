"""Which key the database's secrets are under: the recorded fingerprint, the check on connect, the write guard.

The database keeps the fingerprint of its current key (table ``secret_key``, never the key) and every
stored secret names the key it is under. A connection whose keys cannot read the stored secrets is
refused when it opens; every write transaction pins the current key under a shared lock, so a kernel
never encrypts under a key another kernel has just rotated away; a rotation takes that lock exclusively.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, SQLModel

from . import audit
from .db import Database
from .errors import InvalidInput, ReadOnly, SecretsError, StaleKey
from .models import GatewayAccount, utcnow
from .secrets import KEYS_ENV, Keyring, NoKeys, key_of, where_keys_are_looked_for

KEY_LOCK = 0x5_3_6D_73_6B  # writers hold it shared, a rotation exclusively (PostgreSQL)
RECORD_LOCK = 0x5_3_6D_73_72  # recording the first key of a database (PostgreSQL)
ENC_COLUMNS = ("password_enc", "proxy_password_enc", "options_enc")
# A database view (migration 0002) saying which secrets are set without showing them; auditors may read it.
SECRET_STATE = sa.table("gateway_account_secret_state", sa.column("id"), sa.column("password_set"),
                        sa.column("proxy_password_set"), sa.column("secret_options_set"))
ACCOUNTS, KEYS = SQLModel.metadata.tables["gateway_account"], SQLModel.metadata.tables["secret_key"]
A, K = ACCOUNTS.c, KEYS.c


@dataclass(frozen=True)
class KeyState:
    """What the database says about its keys: the current fingerprint and one stored secret, if any."""

    current: str | None
    sample: str | None

    @property
    def holds_secrets(self) -> bool:
        return self.sample is not None


def read_state(conn: sa.Connection) -> KeyState:
    current = conn.execute(sa.select(K.fingerprint).where(K.is_current.is_(True))).scalar()
    sample = conn.execute(
        sa.select(sa.func.coalesce(*(A[c] for c in ENC_COLUMNS))).where(
            sa.or_(*(A[c].is_not(None) for c in ENC_COLUMNS))).limit(1)
    ).scalar()
    return KeyState(current, sample)


def connect(db: Database, keyring: Keyring | None, *, read_only: bool) -> Keyring | NoKeys:
    """The keys a GatewayAdmin works with: none when read-only, else keys proven to read the secrets."""
    if read_only:
        return NoKeys("this connection was opened with read_only=True")
    with db.reading() as conn:
        try:
            return open_keys(conn, keyring)
        except SecretsError:
            pass  # another process may have rotated between our reading the database and the key file
    with db.reading() as conn:  # a new transaction: the database as it is now
        return open_keys(conn, keyring)


def usable(ring: Keyring | NoKeys) -> bool:
    return not isinstance(ring, NoKeys)


def require(ring: Keyring | NoKeys) -> Keyring:
    """The keys; KeyNeeded on a connection without keys."""
    if isinstance(ring, NoKeys):
        ring.encrypt("")  # raises KeyNeeded
    return ring


def refuse_if_read_only(read_only: bool) -> None:
    if read_only:
        raise ReadOnly("This connection was opened with read_only=True: it can list and view everything, "
                       "and changes nothing. Connect without read_only (and with the key) to make changes.")


def next_keyring(ring: Keyring | NoKeys, new_key: str | None) -> Keyring:
    """The keyring a rotation re-encrypts under: a new (or given) key first, the old ones kept to decrypt."""
    ring = require(ring)
    if ring.source == "environment":
        if new_key:
            raise InvalidInput("new_key", f"cannot be saved: keys come from {KEYS_ENV}",
                               allowed=f"put the new key first in {KEYS_ENV}")
        return ring.promoting_first()
    return ring.with_new_primary(new_key.encode() if new_key else None)


def retired_among(db: Database, fingerprints: tuple[str, ...]) -> tuple[str, ...]:
    """Those of `fingerprints` the database records as retired (never a key another rotation is making current)."""
    with db.reading() as conn:
        rows = conn.execute(sa.select(K.fingerprint).where(K.is_current.is_(False), K.fingerprint.in_(fingerprints)))
        return tuple(rows.scalars())


def open_keys(conn: sa.Connection, keyring: Keyring | None) -> Keyring:
    """The keyring a connection works with, refused at once if it cannot read the stored secrets.

    A new key file is created only when none is found and the database holds no secret yet.
    """
    state = read_state(conn)
    ring = keyring or Keyring.find()
    if ring is None:
        if state.holds_secrets:
            raise SecretsError(
                f"No encryption key was found, and this database holds secrets under the key "
                f"{state.current or key_of(state.sample) or '(unrecorded)'}. Keys are looked for in "
                f"{where_keys_are_looked_for()}. Restore the key from your backup (README: 'Keys'), "
                "or connect with read_only=True to read everything but the secrets."
            )
        ring = Keyring.create()
    check(ring, state)
    return ring


def check(ring: Keyring, state: KeyState) -> None:
    """Raise SecretsError unless `ring` can read the database's secrets; remember the key to encrypt under."""
    if not state.holds_secrets:
        return
    expected = state.current or key_of(state.sample)
    if expected is not None and ring.has(expected):
        ring.expected = state.current
        return
    if expected is None:  # secrets from before fingerprints were recorded: prove one decrypts
        try:
            ring.decrypt(state.sample)
            return
        except SecretsError:
            pass
    found = ", ".join(ring.fingerprints) or "none"
    raise SecretsError(
        f"These keys cannot read the stored secrets: the database's secrets are under the key "
        f"{expected or '(unrecorded)'}, and {ring.where()} holds the key(s) {found}. Keys are looked for in "
        f"{where_keys_are_looked_for()}. Restore the key file from your backup (README: 'Keys'); "
        "no new key is made for a database that already holds secrets."
    )


def pin(session: Session, ring: Keyring | NoKeys, *, actor: str, exclusive: bool = False) -> None:
    """At the start of a write: hold the key lock (shared; a rotation exclusive), encrypt under the current key."""
    session.info["actor"] = actor
    conn = session.connection()
    audit.lock_chain(conn)  # first, before any row lock: the audit record at the end cannot deadlock
    if conn.dialect.name == "postgresql":
        lock = sa.func.pg_advisory_xact_lock if exclusive else sa.func.pg_advisory_xact_lock_shared
        conn.execute(sa.select(lock(KEY_LOCK)))
    current = conn.execute(sa.select(K.fingerprint).where(K.is_current.is_(True))).scalar()
    if isinstance(ring, NoKeys) or current is None:
        return
    if ring.has(current):
        ring.expected = current
    elif read_state(conn).holds_secrets:
        raise StaleKey(
            f"Another session rotated the encryption key to {current} since this one loaded its keys "
            f"({ring.where()}), and this session does not have the new key; nothing was saved. "
            f"Add the new key to {ring.where()} (or reconnect) and save again."
        )


def _new_tokens(session: Session) -> Iterator[str]:
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, GatewayAccount):
            continue
        state = sa.inspect(obj)
        for column in ENC_COLUMNS:
            added = state.attrs[column].history.added
            yield from (t for t in added if t)


def _record_current(conn: sa.Connection, fp: str, actor: str) -> None:
    now = utcnow()
    conn.execute(sa.update(KEYS).where(K.is_current.is_(True)).values(is_current=False, retired_at=now))
    if conn.execute(sa.select(K.fingerprint).where(K.fingerprint == fp)).first():
        conn.execute(sa.update(KEYS).where(K.fingerprint == fp)
                     .values(is_current=True, retired_at=None, since=now, recorded_by=actor))
    else:
        conn.execute(sa.insert(KEYS).values(fingerprint=fp, is_current=True, since=now,
                                                           recorded_by=actor))


@event.listens_for(Session, "before_flush")
def _guard(session: Session, _ctx: object, _instances: object) -> None:
    """No secret reaches the database under a key other than its current one (the first records it)."""
    guard(session, {key_of(t) for t in _new_tokens(session)})


def guard_rows(session: Session, rows: list[dict]) -> None:
    """The flush guard for account rows inserted without the ORM (a batch): their tokens' keys."""
    guard(session, {key_of(t) for row in rows for c in ENC_COLUMNS if (t := row.get(c))})


def guard(session: Session, fps: set[str | None]) -> None:
    """Refuse (StaleKey) tokens under any key but the database's current one; the first key written is recorded."""
    if not fps:
        return
    conn = session.connection()
    state = read_state(conn)
    if fps == {state.current}:
        return
    if len(fps) == 1 and None not in fps and (state.current is None or not state.holds_secrets):
        if conn.dialect.name == "postgresql":  # first secrets saved at once by several sessions: one records
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(RECORD_LOCK)))
            state = read_state(conn)
        if fps != {state.current}:
            fp = next(iter(fps))
            assert fp is not None  # checked above: the one fingerprint is not None
            _record_current(conn, fp, session.info.get("actor", "smsgw_kit"))
        return
    raise StaleKey(
        f"The database's secrets are under the key {state.current}, but this change was encrypted under "
        f"{', '.join(sorted(str(f) for f in fps))}; nothing was saved. Another session probably rotated "
        "the key: reconnect (or add the new key) and save again."
    )


@event.listens_for(Session, "do_orm_execute")
def _hide_ciphertext(state: sa.orm.ORMExecuteState) -> None:
    """Sessions of read-only connections never select the ciphertext columns (auditors may not read them)."""
    if not (state.is_select and state.session.info.get("no_ciphertext")):
        return
    query = cast(sa.Select, state.statement)  # is_select: an ORM select
    if any(d.get("expr") is GatewayAccount for d in query.column_descriptions):  # whole rows only
        state.statement = state.statement.options(
            *(sa.orm.defer(getattr(GatewayAccount, c), raiseload=True) for c in ENC_COLUMNS))


def rotate(session: Session, old: Keyring, new: Keyring, *, actor: str) -> int:
    """Re-encrypt every stored secret under `new`'s current key and record it as current; the count.

    Call it inside a transaction pinned with `exclusive=True`, so writers in flight finish first.
    """
    conn = session.connection()
    state = read_state(conn)
    if state.holds_secrets:
        check(old, state)
    _record_current(conn, new.current, actor)
    count = 0
    rows = session.scalars(sa.select(GatewayAccount).with_for_update()).all()
    for row in rows:
        for column in ENC_COLUMNS:
            if getattr(row, column):
                setattr(row, column, new.reencrypt(getattr(row, column)))
                count += 1
        session.add(row)
    session.flush()
    return count


def discard_secrets(db: Database, *, actor: str) -> int:
    """After a key is lost for good: clear every stored secret (audited), so that a new key can be used.

    Account names, settings, stores and history stay; each account needs its credentials entered again.
    """
    with db.transaction() as session:
        audit.lock_chain(session.connection())
        count = 0
        for row in session.scalars(sa.select(GatewayAccount).with_for_update()).all():
            count += sum(getattr(row, c) is not None for c in ENC_COLUMNS)
            for column in ENC_COLUMNS:
                setattr(row, column, None)
            session.add(row)
        session.connection().execute(sa.update(KEYS).where(K.is_current.is_(True))
                                     .values(is_current=False, retired_at=utcnow()))
        audit.record(session, actor=actor, action="keys.discard", row=None, object_kind="keys",
                     object_name="lost key", after={"secrets_discarded": count})
    return count
