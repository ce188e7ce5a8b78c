"""History and Audit: the pandas views as escaped tables, with account, action, who and time filters."""

from __future__ import annotations

import pytest

from smsgw_kit.ui import AuditPage, HistoryPage

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def tested(sqlite_admin, emu):
    fields = {k: v for k, v in emu.account_settings("Nexmo").items() if v is not None}
    sqlite_admin.create_account(name="Primary", gateway_type="Nexmo", **fields)
    sqlite_admin.create_account(name=HOSTILE, gateway_type="Nexmo", **{**fields, "password": "wrong"})
    sqlite_admin.test_connection("Primary", "447079692712")
    sqlite_admin.test_connection(HOSTILE, None)
    return sqlite_admin


def test_history_lists_runs_and_escapes_data(tested, text_of):
    page = HistoryPage(tested)
    assert len(page.frame) == 2
    assert "<img" not in page.table.value and "&lt;img src=x" in page.table.value
    shown = text_of(page.table)
    assert "2 rows" in shown and "passed" in shown and "failed" in shown and "+447079692712" in shown
    assert "connection: passed" in shown


@pytest.mark.parametrize(("filters", "accounts"), [
    ({"account": "primary"}, ["Primary"]),
    ({"outcome": "Failed"}, [HOSTILE]),
    ({"who": "tester"}, [HOSTILE, "Primary"]),
    ({"who": "someone else"}, []),
    ({"time_range": "Last hour"}, [HOSTILE, "Primary"]),
])
def test_history_filters(tested, filters, accounts):
    page = HistoryPage(tested)
    for name, value in filters.items():
        getattr(page, name).value = value
    assert sorted(page.frame["account_name"]) == sorted(accounts)


def test_history_refresh_shows_new_runs(tested):
    page = HistoryPage(tested)
    tested.test_connection("Primary", None)
    page.refresh()
    assert len(page.frame) == 3


def test_audit_lists_events_and_escapes_data(tested, text_of):
    page = AuditPage(tested)
    assert set(page.frame["action"]) == {"account.create"}
    assert "<img" not in page.table.value and "&lt;img" in page.table.value
    assert "emusecret" not in page.table.value, "secrets are masked in the audit trail"


@pytest.mark.parametrize(("filters", "count"), [
    ({"action": "Account created"}, 2),
    ({"action": "Store created"}, 1),
    ({"action": "Identity stores (all)"}, 3),
    ({"action": "Store unlinked"}, 1),
    ({"name": "corp ad"}, 3),
    ({"who": "tester"}, 5),
    ({"who": "nobody"}, 0),
    ({"time_range": "Last 24 hours"}, 5),
])
def test_audit_filters(tested, filters, count):
    tested.create_identity_store(name="Corp AD")
    tested.link("Corp AD", "Primary")
    tested.unlink("Corp AD")
    page = AuditPage(tested)
    for name, value in filters.items():
        getattr(page, name).value = value
    assert len(page.frame) == count
