"""What a failed database call means in the operator's words: a clash with another writer, or storage trouble."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict, SmsgwError, StorageError

# PostgreSQL SQLSTATEs that mean "another transaction got in the way"; retrying later can succeed.
CLASH_STATES = {
    "40001": "the database could not serialise two changes made at the same moment",
    "40P01": "two changes waited for each other (a deadlock)",
    "55P03": "another operator held a lock on the same data for too long",
}
CLASH_ADVICE = "Nothing was saved; reload and try again."


def _sqlstate(exc: sa.exc.DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


def _first_line(exc: sa.exc.DBAPIError) -> str:
    text = str(exc.orig).strip()
    return text.splitlines()[0] if text else type(exc.orig).__name__


def _where(url: sa.URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"the SQLite file {url.database or ':memory:'}"
    return f"the database {url.database!r} at {url.host or 'localhost'}:{url.port or 5432}"


def _sqlite_problem(text: str, url: sa.URL, waited: float) -> str | None:
    if "database is locked" in text or "database table is locked" in text:
        return (f"{_where(url)} is locked by another process (waited {waited:g} s). Wait until the other "
                "program (another notebook, a backup, a DB browser) finishes its write, or close it, then try again.")
    if "readonly database" in text or "read-only" in text:
        return (f"{_where(url)} is read-only: this user cannot write to the file or its folder. "
                "Make both writable (check permissions and the mount), or open another database.")
    if "unable to open database file" in text or "disk i/o error" in text or "not a database" in text:
        return (f"Cannot open {_where(url)} ({text.strip()}). Check that the file and its folder exist, "
                "are readable and hold an smsgw_kit database.")
    return None


def translate(exc: BaseException, url: sa.URL, *, waited: float = 0.0) -> SmsgwError | None:
    """The SmsgwError that `exc` stands for, or None when it is not a database failure we know."""
    if isinstance(exc, StaleDataError):
        return Conflict("Another operator changed or deleted the same data at the same moment. " + CLASH_ADVICE)
    if not isinstance(exc, sa.exc.DBAPIError) or isinstance(exc, sa.exc.IntegrityError):
        return None
    state = _sqlstate(exc)
    if state in CLASH_STATES:
        return Conflict(f"Another operator changed the same data at the same moment: {CLASH_STATES[state]}. {CLASH_ADVICE}")
    text = str(exc.orig).lower()
    if url.get_backend_name() == "sqlite":
        problem = _sqlite_problem(text, url, waited)
        if problem:
            return StorageError(problem)
    server = url.get_backend_name() != "sqlite"
    unreachable = (state or "").startswith("08") or (server and state is None and isinstance(exc, sa.exc.OperationalError))
    if exc.connection_invalidated or unreachable:
        return StorageError(f"Cannot reach {_where(url)}: {_first_line(exc)}. "
                            "Check that the server runs and accepts connections, then try again.")
    code = f", SQLSTATE {state}" if state else ""
    return StorageError(f"The database refused the operation ({type(exc.orig).__name__}{code}): {_first_line(exc)}")
