"""The hook other capabilities (fallbacks, routes) add document sections through: exported, planned, applied
in the plan's one transaction, after the stores are in place and before accounts are deleted."""

from __future__ import annotations

from typing import Any

import pytest

from smsgw_kit import InvalidInput, audit, config
from smsgw_kit.config.plan import Change, State
from smsgw_kit.config.sections import SECTION_HOOKS


class Notes:
    """A toy section: a note per identity store, kept as audit events (enough to see where it runs)."""

    key = "notes"

    def __init__(self) -> None:
        self.seen_state: State | None = None

    def export(self, session) -> Any:
        return ["exported"]

    def plan(self, session, value: Any, state: State) -> list[Change]:
        self.seen_state = state
        for i, store in enumerate(value):
            if store.strip().casefold() not in state.stores:
                raise InvalidInput(f"notes[{i}]", f"names no identity store: {store!r}")
        return [Change("notes", "create", store, f"notes[{i}]") for i, store in enumerate(value)]

    def apply(self, session, ctx, change: Change) -> None:
        if change.name == "Fail":
            raise InvalidInput("note", "refused on purpose")
        audit.record(session, actor=ctx.actor, action="note.create", row=None, object_kind="note",
                     object_name=change.name)


@pytest.fixture
def notes():
    section = Notes()
    config.register_section(section)
    yield section
    SECTION_HOOKS.pop("notes")


def test_a_registered_section_is_exported_planned_and_applied_in_order(sqlite_admin, notes):
    assert sqlite_admin.export_config(secrets="omit")["notes"] == ["exported"]
    document = {"identity_stores": [{"name": "Corp AD"}, {"name": "Old AD"}], "notes": ["Corp AD"]}
    sqlite_admin.apply(sqlite_admin.plan({"identity_stores": [{"name": "Old AD"}]}))
    document["identity_stores"].pop()  # Old AD is deleted by the same plan

    plan = sqlite_admin.plan(document)
    sqlite_admin.apply(plan)

    assert [(c.kind, c.action, c.name) for c in plan.changes] == [
        ("identity_store", "create", "Corp AD"), ("notes", "create", "Corp AD"), ("identity_store", "delete", "Old AD")]
    assert notes.seen_state is not None and set(notes.seen_state.stores) == {"corp ad"}
    events = sqlite_admin.audit_frame().sort_values("id").action.tolist()
    assert events[-3:] == ["store.create", "note.create", "store.delete"]


def test_a_section_that_fails_rolls_the_whole_plan_back(sqlite_admin, notes):
    plan = sqlite_admin.plan({"identity_stores": [{"name": "Fail"}], "notes": ["Fail"]})

    with pytest.raises(InvalidInput, match=r"notes\[0\]\.note: refused on purpose"):
        sqlite_admin.apply(plan)

    assert sqlite_admin.list_identity_stores() == [] and sqlite_admin.audit_frame().empty
    with pytest.raises(InvalidInput, match=r"notes\[0\]: names no identity store"):
        sqlite_admin.plan({"notes": ["Nowhere"]})
