"""Turning an edited accounts frame (`admin.accounts_frame()`) into the entries of a plan."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlmodel import Session

from .. import audit
from ..errors import InvalidInput
from ..views import DATABASE_ATTR, accounts_query
from .document import AccountEntry, Document, _unique, account_fields, check_account

SHOWN_SECRET = ("set", "not set")


def _plain(value: Any) -> Any:
    """A cell as a plain Python value: missing -> None, numpy scalars -> int/float/bool."""
    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _check_database(session: Session, frame: pd.DataFrame) -> None:
    """A frame read from another database (its attrs say which) names other accounts by the same ids here."""
    source = frame.attrs.get(DATABASE_ATTR)
    if source is not None and source != audit.origin(session.connection()):
        raise InvalidInput("frame", "was read from another database's accounts_frame(): its rows are matched by "
                           "id, and here the same ids are other accounts",
                           allowed="this database's admin.accounts_frame(), edited (or a document: names, not ids)")


def _check_columns(frame: pd.DataFrame) -> list[str]:
    """The editable columns present; any column the accounts frame never has is refused."""
    fields = account_fields()
    known = set(accounts_query().selected_columns.keys()) | set(fields.names)
    unknown = sorted(str(c) for c in frame.columns if c not in known)
    if unknown:
        raise InvalidInput(f"frame.{unknown[0]}", "is not a column of the accounts frame",
                           allowed=", ".join(sorted(known)))
    if "name" not in frame.columns:
        raise InvalidInput("frame.name", "is missing", allowed="the frame of admin.accounts_frame(), edited")
    return [c for c in fields.plain if c in frame.columns]


def _entry(label: Any, row: pd.Series, columns: list[str]) -> AccountEntry:
    path = f"frame[{label}]"
    for secret in account_fields().secrets:
        if secret in row.index and _plain(row[secret]) not in (*SHOWN_SECRET, None):
            raise InvalidInput(f"{path}.{secret}", "cannot be set from a frame",
                               allowed="'set' or 'not set' as shown; give secrets in a document as env:/file: references")
    entry = check_account({c: _plain(row[c]) for c in columns}, path)
    entry.id = _plain(row["id"]) if "id" in row.index else None
    entry.version = _plain(row["version"]) if "version" in row.index and entry.id is not None else None
    return entry


def _default(frame: pd.DataFrame, entries: list[AccountEntry], session: Session) -> tuple[bool, str | None]:
    """Whether the frame decides the default (it shows is_default and the current default, or marks one)."""
    if "is_default" not in frame.columns:
        return False, None
    marked = [e for e, flag in zip(entries, frame["is_default"], strict=True) if _plain(flag)]
    if len(marked) > 1:
        raise InvalidInput("frame.is_default", f"marks {len(marked)} accounts as the default", allowed="at most one")
    if marked:
        return True, marked[0].given["name"]
    from ..accounts import current_default

    current = current_default(session)
    return (current is not None and current.id in {e.id for e in entries}), None


def document_from_frame(session: Session, frame: pd.DataFrame) -> Document:
    """The frame's rows as account entries, matched to stored accounts by `id` (so renames work)."""
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInput("frame", f"must be a pandas DataFrame, not {type(frame).__name__}")
    _check_database(session, frame)
    columns = _check_columns(frame)
    entries = [_entry(label, row, columns) for label, row in frame.iterrows()]
    _unique(entries, "the frame")
    manages, default = _default(frame, entries, session)
    return Document(accounts=entries, default=default, manages_default=manages)

