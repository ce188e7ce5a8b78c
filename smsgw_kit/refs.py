"""Finding an account or identity store the same way everywhere: by id (int) or by name (str)."""

from __future__ import annotations

from typing import Any, TypeVar

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


def lookup_key(ref: Any, field: str, public: type[SQLModel]) -> tuple[bool, int | str]:
    """(True, the id) or (False, the name key) that `ref` stands for, for Core queries on a hot path."""
    ref = clean_ref(ref, field, public)
    return (True, ref) if isinstance(ref, int) else (False, rules.clean_name(ref, field)[1])


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
