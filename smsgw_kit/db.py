"""Opening the database: engine from a URL (embedded SQLite by default), pragmas, migrations, transactions."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import platformdirs
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlmodel import Session

from .db_errors import translate
from .errors import StorageError
from .rules import clean_database_url

URL_ENV = "SMSGW_KIT_DATABASE_URL"
MIGRATIONS = Path(__file__).with_name("migrations")
LOCK_WAIT = 10.0  # seconds a SQLite writer waits for another process's write lock before giving up
PING_AFTER = 1.0  # seconds a server connection may sit in the pool and still be used without a ping first
T = TypeVar("T")
# Alembic keeps its running migration context in module globals, so one thread migrates at a time.
_migrating = threading.Lock()


def default_url() -> str:
    """SMSGW_KIT_DATABASE_URL if set, else a SQLite file in the user's data folder."""
    env = os.environ.get(URL_ENV)
    if env:
        return env
    folder = platformdirs.user_data_path("smsgw_kit")
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'smsgw_kit.db'}"


def _normalise(url: str) -> sa.URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _use_wal(cur: sqlite3.Cursor, lock_wait: float) -> None:
    """Switch the file to WAL once; SQLite answers "locked" at once (no busy wait) while another connection
    opens or switches the same new file, so that case is retried for up to `lock_wait` seconds."""
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_pragmas(engine: sa.Engine, lock_wait: float) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let the "begin" hook below issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {int(lock_wait * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            _use_wal(cur, lock_wait)
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        options = conn.get_execution_options()
        if options.get("smsgw_autocommit"):
            return  # each statement is its own transaction (Database._autocommit)
        # Writers take the lock up front so two writers queue instead of failing mid-transaction.
        conn.exec_driver_sql("BEGIN" if options.get("smsgw_read_only", False) else "BEGIN IMMEDIATE")


def _ping_when_idle(engine: sa.Engine) -> None:
    """Ping a server connection before use when it sat in the pool for more than PING_AFTER seconds.

    SQLAlchemy's pool_pre_ping pings at every checkout: a round trip before each statement of a hot path
    (two per send_code). A connection back in the pool for less than a second is as good as the one just
    used; an older one may have been cut (a restart, an idle timeout, a firewall). A failed ping replaces
    it and every other pooled connection (a restart cuts them all) before the caller sees any of them.
    """
    def stamp(_dbapi_conn, record) -> None:
        record.info["smsgw_idle_since"] = time.monotonic()

    sa.event.listen(engine, "connect", stamp)
    sa.event.listen(engine, "checkin", stamp)

    @sa.event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy) -> None:
        if time.monotonic() - record.info.get("smsgw_idle_since", 0.0) <= PING_AFTER:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.InvalidatePoolError(f"a pooled connection failed its ping: {exc}") from exc


def create_engine(url: str | None = None, *, lock_wait: float = LOCK_WAIT, **kwargs) -> sa.Engine:
    """An engine for `url` (or the default), with SQLite pragmas set on every connection."""
    parsed = _normalise(clean_database_url(default_url() if url is None or url == "" else url))
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (ImportError, sa.exc.ArgumentError, TypeError, ValueError) as exc:
        raise StorageError(f"Cannot use the database URL {parsed!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine, lock_wait)
    else:
        _ping_when_idle(engine)
    return engine


def alembic_config(engine: sa.Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: sa.Engine, *, lock_wait: float = LOCK_WAIT) -> None:
    """Create or upgrade the schema to the newest migration."""
    config = alembic_config(engine)
    try:
        if _at_head(engine, config):
            return  # nothing to do, and no write lock taken (another process may be writing)
        with _migrating:
            command.upgrade(config, "head")
    except sa.exc.DBAPIError as exc:
        error = translate(exc, engine.url, waited=lock_wait)
        if error is None:
            raise StorageError(f"Cannot open the database {engine.url!r}: {type(exc).__name__}: {exc.orig}") from exc
        raise error from exc
    except (sa.exc.SQLAlchemyError, UnicodeError, ValueError) as exc:  # e.g. a URL the driver cannot use
        raise StorageError(f"Cannot open the database {engine.url!r}: {type(exc).__name__}: {exc}") from exc


def _at_head(engine: sa.Engine, config: Config) -> bool:
    with engine.connect().execution_options(smsgw_read_only=True) as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) == set(ScriptDirectory.from_config(config).get_heads())


class Database:
    """One database: its engine, the schema brought up to date, and transactions on it."""

    def __init__(self, url: str | None = None, *, migrate: bool = True, engine: sa.Engine | None = None,
                 lock_wait: float = LOCK_WAIT):
        self.engine = engine or create_engine(url, lock_wait=lock_wait)
        self.lock_wait = lock_wait
        if migrate:
            upgrade(self.engine, lock_wait=lock_wait)

    def __repr__(self) -> str:
        return f"Database({self.engine.url!r})"  # URL repr masks the password

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one write transaction: committed on success, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def writing(self, *, autocommit: bool = False) -> Iterator[sa.Connection]:
        """A write transaction on a bare connection (Core, no ORM), committed on success, rolled back on any
        error; storage failures and clashes become StorageError or Conflict, integrity errors stay as they are.

        `autocommit=True` runs the block's statement as its own transaction, with no BEGIN and COMMIT
        around it (two round trips fewer on PostgreSQL): only for a block of exactly one statement.
        """
        try:
            if autocommit:
                with self.engine.connect().execution_options(**self._autocommit()) as conn:
                    yield conn
                return
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.IntegrityError:
            raise
        except sa.exc.DBAPIError as exc:
            raise self.translated(exc) from exc

    @contextmanager
    def reading(self, *, autocommit: bool = False) -> Iterator[sa.Connection]:
        """A read-only connection (never takes SQLite's write lock); failures become StorageError.

        `autocommit=True` runs each statement on its own, with no BEGIN and ROLLBACK around them (two
        round trips fewer on PostgreSQL): for a hot path that reads in one statement, which is atomic.
        """
        options: dict[str, object] = {"smsgw_read_only": True, **(self._autocommit() if autocommit else {})}
        try:
            with self.engine.connect().execution_options(**options) as conn:
                yield conn
        except sa.exc.DBAPIError as exc:
            raise self.translated(exc) from exc

    def read(self, fn: Callable[[sa.Connection], T], *, autocommit: bool = False) -> T:
        """`fn(conn)` on a read-only connection (see `reading`); run once more on a new connection when the
        server had cut the first one since it was last used (a read can always be repeated)."""
        for attempt in (1, 2):
            try:
                with self.reading(autocommit=autocommit) as conn:
                    return fn(conn)
            except StorageError as exc:
                cause = exc.__cause__
                if attempt == 2 or not (isinstance(cause, sa.exc.DBAPIError) and cause.connection_invalidated):
                    raise
        raise AssertionError("unreachable")

    def _autocommit(self) -> dict[str, object]:
        """Execution options for statements that are each their own transaction."""
        if self.dialect == "sqlite":  # SQLite's BEGIN comes from the hook above, which skips it
            return {"smsgw_autocommit": True}
        return {"smsgw_autocommit": True, "isolation_level": "AUTOCOMMIT"}

    def translated(self, exc: Exception) -> Exception:
        """The SmsgwError a database failure on this database stands for (`exc` itself if none)."""
        return translate(exc, self.engine.url, waited=self.lock_wait) or exc

    def dispose(self) -> None:
        self.engine.dispose()
