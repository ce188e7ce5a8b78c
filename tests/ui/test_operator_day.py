"""Widget-level checks of the operator's day: test many with cancel, the change stamp, who/when on a stale
edit, the history plot, one phone hint, plurals, an unlinked store's drop-down, kernel-side secrets."""

from __future__ import annotations

import re
import threading

import pytest

from smsgw_kit import StaleEdit
from smsgw_kit.diagnostics import run_connection_tests
from smsgw_kit.gateways.base import GatewaySettings
from smsgw_kit.phone import ALLOWED
from smsgw_kit.ui import AdminCenter, GatewaysPage, HistoryPage, IdentityStoresPage
from smsgw_kit.ui.inputs import SecretBox, TextBox
from smsgw_kit.ui.test_dialog import HINT, PHONE_EXAMPLE


def fields(emu, **changes) -> dict:
    return {**{k: v for k, v in emu.account_settings("Nexmo").items() if v is not None}, **changes}


@pytest.fixture
def gateways(sqlite_admin):
    page = GatewaysPage(sqlite_admin)
    yield page
    page.close()


def test_test_many_runs_the_ticked_accounts_and_summarises_failures_with_their_stage(gateways, emu, text_of):
    admin = gateways.admin
    admin.create_account(name="Good", gateway_type="Nexmo", **fields(emu))
    admin.create_account(name="Bad", gateway_type="Nexmo", **fields(emu, password="wrong"))
    admin.create_account(name="Untouched", gateway_type="Nexmo", **fields(emu))
    gateways.refresh()
    panel = gateways.test_many
    assert panel.selected_button.disabled and panel.selected_button.description.endswith("(0)")
    gateways.table.select("Good")
    gateways.table.select("Bad")
    assert not panel.selected_button.disabled and panel.selected_button.description.endswith("(2)")
    panel.selected_button.click()
    reports = panel.wait()
    assert sorted(reports) == ["Bad", "Good"]
    summary = text_of(panel.summary)
    assert "Tested 2 of 2" in summary and "1 failed" in summary
    assert re.search(r"Bad Credentials .*authentication failed", summary)
    assert "Good" not in summary.split("Failed at")[1]
    assert panel.progress.value == 2 and panel.progress.max == 2
    assert set(admin.test_history_frame()["account_name"]) == {"Good", "Bad"}


def test_test_many_refuses_a_bad_number_next_to_it(gateways, emu, text_of):
    gateways.admin.create_account(name="Good", gateway_type="Nexmo", **fields(emu))
    gateways.refresh()
    gateways.test_many.phone.input.set_state({"value": "12"})
    gateways.test_many.all_button.click()
    gateways.test_many.wait()
    assert PHONE_EXAMPLE in text_of(gateways.test_many.phone.error)
    assert gateways.admin.test_history_frame().empty


def test_cancel_skips_the_tests_not_started_and_keeps_the_finished(emu):
    settings = GatewaySettings(**fields(emu))
    cancel = threading.Event()
    done: list[str] = []

    def progress(count, total, key, report):
        done.append(key)
        cancel.set()  # cancel as soon as the first one finishes

    emu.inject("Nexmo", latency=0.2, count=None)
    reports = run_connection_tests([(f"a{i}", "Nexmo", settings) for i in range(6)], None, concurrency=2,
                                   on_progress=progress, cancel=cancel)
    assert 1 <= len(reports) < 6 and list(reports) == [k for k in (f"a{i}" for i in range(6)) if k in reports]
    assert sorted(done) == sorted(reports)


def test_the_change_stamp_moves_with_every_change_and_the_centre_reloads(admin, emu):
    sqlite_admin = admin  # on SQLite and PostgreSQL
    center = AdminCenter(sqlite_admin)
    before = sqlite_admin.data_version()
    assert center.check_for_changes() is False
    sqlite_admin.create_account(name="Elsewhere", gateway_type="Nexmo", **fields(emu))
    assert sqlite_admin.data_version() != before
    assert list(center.page.table.shown["name"]) == []
    assert center.check_for_changes() is True
    assert list(center.page.table.shown["name"]) == ["Elsewhere"]
    sqlite_admin.test_connection("Elsewhere", None)
    assert center.check_for_changes() is True, "a test run is a change too (Last Test)"
    center.close()


def test_a_stale_edit_says_who_changed_the_account_and_when(admin, emu):
    sqlite_admin = admin
    account = sqlite_admin.create_account(name="Contested", gateway_type="Nexmo", **fields(emu))
    sqlite_admin.modify_account("Contested", sender_id="THEIRS")
    with pytest.raises(StaleEdit) as caught:
        sqlite_admin.modify_account(account, expected_version=account.version, sender_id="MINE")
    assert caught.value.changed_by == sqlite_admin.actor and caught.value.changed_at is not None
    assert f"by {sqlite_admin.actor} at {caught.value.changed_at:%Y-%m-%d %H:%M}" in str(caught.value)


def test_history_plot_shows_the_table_rows(sqlite_admin, emu):
    sqlite_admin.create_account(name="Primary", gateway_type="Nexmo", **fields(emu))
    sqlite_admin.create_account(name="Broken", gateway_type="Nexmo", **fields(emu, password="wrong"))
    for name in ("Primary", "Broken", "Primary"):
        sqlite_admin.test_connection(name, None)
    page = HistoryPage(sqlite_admin)
    svg = page.plot.value
    assert svg.startswith("<svg") and svg.count('class="smsgw-plot-run smsgw-plot-passed"') == 2
    assert svg.count('class="smsgw-plot-run smsgw-plot-failed"') == 1
    assert ">Primary</text>" in svg and ">Broken</text>" in svg
    page.account.value = "Broken"
    assert page.plot.value.count("smsgw-plot-run") == 1 == len(page.frame)
    page.close()


def test_one_phone_hint_everywhere():
    assert PHONE_EXAMPLE in ALLOWED and PHONE_EXAMPLE in HINT and "no spaces" in ALLOWED
    assert "+44 7079" not in ALLOWED


def test_plurals(gateways, emu, text_of):
    gateways.admin.create_account(name="Only", gateway_type="Nexmo", **fields(emu))
    gateways.refresh()
    assert gateways.table.status.value.endswith("· 1 account")
    gateways.admin.test_connection("Only", None)
    page = HistoryPage(gateways.admin)
    assert "1 row" in text_of(page.table) and "1 rows" not in text_of(page.table)
    page.close()


def test_empty_page_explains_itself(gateways):
    assert gateways.empty.layout.display is None and "Setup SMS Gateway" in gateways.empty.value
    assert gateways.table.root.layout.display == "none"


def test_an_unlinked_store_says_no_sms_gateway_account(sqlite_admin):
    sqlite_admin.create_identity_store(name="Bare AD")
    page = IdentityStoresPage(sqlite_admin)
    panel = page.open_sms_auth("Bare AD")
    dropdown = panel.account.input
    assert dropdown.label == "(no SMS gateway account)" and dropdown.index == 0
    page.close()


def test_secret_boxes_keep_what_is_typed_out_of_the_widget_state():
    secret, text = SecretBox(description="Password"), TextBox(description="Name")
    secret._typed(secret, {"value": "s3cret"}, [])
    text._typed(text, {"value": "Primary"}, [])
    assert secret.value == "s3cret" and "value" not in secret.get_state()
    assert text.value == "Primary" and text.get_state()["value"] == "Primary"
    secret.close()
    text.close()
