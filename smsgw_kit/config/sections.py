"""The hook through which other capabilities (issue 12's fallbacks and routes) add a document section."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..accounts import Context
    from .plan import Change, State


class Section(Protocol):
    """A top-level section of the document owned by another module.

    `export` writes the section from the database (None: leave it out); `plan` compares the
    document's section with the database and the planned end `state` (names of the accounts and
    stores that will exist), returning changes whose `kind` is the section's key; `apply` performs
    one of them inside the plan's transaction, through the owning module's own operations.

    A section whose rows point at accounts also defines `holds(session, account_ids, state)`: for a
    document that leaves the section out, the (store name, role) uses of those accounts it keeps in
    the end state; the plan refuses to delete an account still held (see `plan._check_deletes`).
    """

    key: str

    def export(self, session: Session) -> Any: ...

    def plan(self, session: Session, value: Any, state: State) -> list[Change]: ...

    def apply(self, session: Session, ctx: Context, change: Change) -> None: ...


# Applied after accounts, defaults and stores are in place, and before accounts are deleted, so a
# route can move off an account that the same plan deletes.
SECTION_HOOKS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add (or replace) a section; the package registers "fallbacks" and "routes" (routing_sections.py)."""
    SECTION_HOOKS[section.key] = section
