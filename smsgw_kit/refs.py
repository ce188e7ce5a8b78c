"""Finding an account or identity store the same way everywhere: by id (int) or by name (str)."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from . import rules
from .errors import InvalidInput, NotFound
from .models import GatewayAccount, IdentityStore

Row = TypeVar("Row", GatewayAccount, IdentityStore)


def find(session: Session, model: type[Row], ref: Any, *, kind: str, field: str, public: type[SQLModel]) -> Row:
    """The row whose id is `ref` (int) or whose name matches `ref` (str, case-insensitive, trimmed)."""
    ref = clean_ref(ref, field, public)
    if isinstance(ref, int):
        query = select(model).where(model.id == ref)
    else:
        query = select(model).where(model.name_key == rules.clean_name(ref, field)[1])
    row = session.exec(query).first()
    if row is None:
        raise NotFound(kind, ref.strip() if isinstance(ref, str) else ref)
    return row


def find_row(conn: sa.Connection, table: sa.Table, ref: Any, columns: tuple[Any, ...], *, kind: str, field: str,
             public: type[SQLModel]) -> sa.Row:
    """`find` in SQLAlchemy Core for a hot path: `columns` of the row `ref` names, NotFound if none."""
    ref = clean_ref(ref, field, public)
    by_id = isinstance(ref, int)
    key = ref if by_id else rules.clean_name(ref, field)[1]
    row = conn.execute(_select_by(table, columns, by_id), {"ref": key}).first()
    if row is None:
        raise NotFound(kind, ref.strip() if isinstance(ref, str) else ref)
    return row


@functools.cache
def _select_by(table: sa.Table, columns: tuple[Any, ...], by_id: bool) -> sa.Select:
    """Built once per caller: select `columns` where the id (or the name key) is the parameter `ref`."""
    return sa.select(*columns).where((table.c.id if by_id else table.c.name_key) == sa.bindparam("ref"))


def clean_ref(ref: Any, field: str, public: type[SQLModel]) -> int | str:
    """An id the database can hold, a valid name, or the `public` shape read earlier (standing for its id)."""
    allowed = f"a name, an id from 1 to {rules.ID_MAX} or a {public.__name__}"
    if isinstance(ref, public):
        ref = getattr(ref, "id", None)
    try:
        if isinstance(ref, str):
            rules.clean_name(ref, field)
            return ref
        if isinstance(ref, int) and not isinstance(ref, bool):
            return rules.clean_id(ref, field)
    except InvalidInput as exc:
        raise InvalidInput(field, exc.problem, allowed=allowed) from None
    raise InvalidInput(field, f"must be a name or an id, not {type(ref).__name__}", allowed=allowed)
