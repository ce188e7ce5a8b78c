"""Finding an account or identity store the same way everywhere: by id (int) or by name (str)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, select

from . import rules
from .errors import InvalidInput, NotFound
from .models import GatewayAccount, IdentityStore

Row = TypeVar("Row", GatewayAccount, IdentityStore)


def find(session: Session, model: type[Row], ref: Any, *, kind: str, field: str) -> Row:
    """The row whose id is `ref` (int) or whose name matches `ref` (str, case-insensitive, trimmed)."""
    ref = getattr(ref, "id", ref)  # a public shape read earlier stands for its id
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise InvalidInput(field, f"must be a name or an id, not {type(ref).__name__}")
    if isinstance(ref, int):
        query = select(model).where(model.id == ref)
    else:
        query = select(model).where(model.name_key == rules.clean_name(ref, field)[1])
    row = session.exec(query).first()
    if row is None:
        raise NotFound(kind, ref.strip() if isinstance(ref, str) else ref)
    return row
