"""The SMS Gateways list: columns, paging and search, Set as default, Test Connection and Delete."""

from __future__ import annotations

import threading

import pytest

from smsgw_kit.ui import GatewaysPage

SEED_NUMBER = "447079692712"


@pytest.fixture
def gateways(sqlite_admin):
    page = GatewaysPage(sqlite_admin)
    yield page
    page.close()


def row_of(page: GatewaysPage, name: str):
    return page.table.record(name)


def cells(page: GatewaysPage, name: str, text_of) -> list[str]:
    index = list(page.table.shown["name"]).index(name)
    return [text_of(c).strip() for c in page.table.rows.children[index].children[1:-1]]


def actions(page: GatewaysPage, name: str) -> list[str]:
    index = list(page.table.shown["name"]).index(name)
    return [b.description for b in page.table.rows.children[index].children[-1].children]


def test_row_shows_name_type_url_default_stores_and_last_test(gateways, create_via_form, emu, text_of):
    create_via_form(gateways, "Primary", default=True)
    gateways.admin.create_identity_store(name="Corp AD")
    gateways.refresh()
    name, kind, url, default, stores, last = cells(gateways, "Primary", text_of)
    assert (name, kind, url, default, stores, last) == (
        "Primary", "Nexmo", emu.url_for("Nexmo"), "Yes", "Corp AD", "Never tested")
    assert actions(gateways, "Primary") == ["Edit", "Test Connection", "Delete"]
    create_via_form(gateways, "Backup")
    assert actions(gateways, "Backup") == ["Edit", "Test Connection", "Set as default", "Delete"]


def test_set_as_default_moves_the_default(gateways, create_via_form):
    create_via_form(gateways, "First", default=True)
    create_via_form(gateways, "Second")
    gateways.set_default(row_of(gateways, "Second"))
    assert gateways.admin.default_account().name == "Second"
    assert "now the default" in gateways.notice.value
    assert list(gateways.table.shown[gateways.table.shown["is_default"]]["name"]) == ["Second"]


def test_paging_and_search_keep_large_lists_short(sqlite_admin, emu):
    fields = {k: v for k, v in emu.account_settings("Nexmo").items() if v is not None}
    for i in range(45):
        sqlite_admin.create_account(name=f"Account {i:02d}", gateway_type="Nexmo", **fields)
    sqlite_admin.create_account(name="Twilio main", gateway_type="Twilio", **{
        k: v for k, v in emu.account_settings("Twilio").items() if v is not None})
    page = GatewaysPage(sqlite_admin, page_size=20)
    assert len(page.table.rows.children) == 20 and page.table.status.value.startswith("Page 1 of 3 · 46 accounts")
    assert page.table.prev.disabled and not page.table.next.disabled
    page.table.next.click()
    page.table.next.click()
    assert len(page.table.rows.children) == 6 and page.table.next.disabled
    page.table.search.set_state({"value": "twilio"})
    assert list(page.table.shown["name"]) == ["Twilio main"]
    assert page.table.status.value == "Page 1 of 1 · 1 of 46 accounts"
    page.table.search.set_state({"value": "account 4"})
    assert list(page.table.shown["name"]) == [f"Account {i}" for i in range(40, 45)]
    page.close()


def test_test_connection_on_a_saved_account_shows_each_stage(gateways, create_via_form, text_of):
    create_via_form(gateways, "Primary")
    dialog = gateways.open_test(row_of(gateways, "Primary"))
    assert "Test SMS Gateway Connection" in text_of(dialog.root.children[0])
    assert "18588123169, 447079692712, 923225867987" in text_of(dialog.root.children[1])
    dialog.phone.input.set_state({"value": SEED_NUMBER})
    dialog.ok.click()
    report = dialog.wait()
    assert report.outcome == "passed"
    shown = text_of(dialog.result)
    for words in ("Passed", "Connection", "Credentials", "Test message", "+447079692712"):
        assert words in shown
    assert [s.outcome for s in report.stages] == ["skipped", "passed", "passed", "passed"]
    assert "Passed, " in cells(gateways, "Primary", text_of)[-1]
    assert gateways.admin.test_history_frame()["outcome"].tolist() == ["passed"]


def test_test_connection_shows_busy_and_keeps_the_kernel_free(gateways, create_via_form, emu):
    create_via_form(gateways, "Primary")
    emu.inject("Nexmo", latency=0.6)
    dialog = gateways.open_test(row_of(gateways, "Primary"))
    dialog.phone.input.set_state({"value": SEED_NUMBER})
    future = dialog.submit()
    assert future is not None and dialog.running
    assert dialog.busy.layout.display is None and dialog.ok.disabled
    assert dialog.submit() is None, "a second OK while running must not start another test"
    assert threading.current_thread() is threading.main_thread()
    dialog.wait()
    assert dialog.busy.layout.display == "none" and not dialog.ok.disabled


def test_test_connection_reports_a_failing_gateway(gateways, create_via_form, text_of):
    create_via_form(gateways, "Primary", password="not-the-secret")
    dialog = gateways.open_test(row_of(gateways, "Primary"))
    dialog.phone.input.set_state({"value": SEED_NUMBER})
    dialog.ok.click()
    report = dialog.wait()
    assert report.outcome == "failed" and report.stage("credentials").outcome == "failed"
    assert "Failed" in text_of(dialog.result) and "credentials" in text_of(dialog.result)
    assert "not-the-secret" not in dialog.result.value


@pytest.mark.parametrize("phone", ["", "+44 (0) abc", "12"])
def test_test_connection_puts_a_bad_number_next_to_the_number(gateways, create_via_form, emu, phone, text_of):
    create_via_form(gateways, "Primary")
    dialog = gateways.open_test(row_of(gateways, "Primary"))
    dialog.phone.input.set_state({"value": phone})
    dialog.ok.click()
    assert dialog.wait() is None
    assert "Mobile Number" in text_of(dialog.phone.error) or "phone" in text_of(dialog.phone.error)
    assert dialog.result.value == ""
    assert [r for r in emu.requests if r.path != "/"] == [], "nothing may be sent for a bad number"


def test_cancel_closes_the_test_dialog(gateways, create_via_form):
    create_via_form(gateways, "Primary")
    dialog = gateways.open_test(row_of(gateways, "Primary"))
    dialog.cancel.click()
    assert gateways.dialog is None and gateways.dialog_slot.children == ()


def test_test_connection_on_form_values_before_saving(gateways, emu, fill, text_of):
    form = gateways.open_create()
    fill(form, "Draft", "Nexmo", **emu.account_settings("Nexmo"))
    dialog = form.open_test()
    dialog.phone.input.set_state({"value": "18588123169"})
    dialog.ok.click()
    assert dialog.wait().outcome == "passed"
    assert gateways.admin.list_accounts() == [], "testing must not save"
    assert gateways.admin.test_history_frame()["account_name"].tolist() == ["Draft"]
    assert form.fields["password"].value, "the typed password stays until the form is submitted"
    form.submit_button.click()
    assert gateways.admin.get_account("Draft").password_set


def test_test_connection_on_the_form_shows_field_errors_on_the_form(gateways, emu, fill, text_of):
    form = gateways.open_create()
    fill(form, "Draft", "Nexmo", **emu.account_settings("Nexmo"), proxy_host_name="proxy.test", proxy_port="99999")
    dialog = form.open_test()
    dialog.phone.input.set_state({"value": SEED_NUMBER})
    dialog.ok.click()
    assert dialog.wait() is None
    assert "out of range" in text_of(form.fields["proxy_port"].error)
    assert "Fix the form first" in text_of(dialog.result)


def test_test_connection_on_edit_uses_the_stored_password_when_empty(gateways, create_via_form):
    create_via_form(gateways, "Primary")
    form = gateways.open_edit(row_of(gateways, "Primary"))
    dialog = form.open_test()
    dialog.phone.input.set_state({"value": SEED_NUMBER})
    dialog.ok.click()
    assert dialog.wait().outcome == "passed"


def test_delete_an_unlinked_account_after_confirmation(gateways, create_via_form, text_of):
    create_via_form(gateways, "Primary")
    dialog = gateways.open_delete(row_of(gateways, "Primary"))
    assert "Delete the SMS gateway account Primary?" in text_of(dialog.question)
    assert gateways.admin.list_accounts() != [], "nothing is deleted before the confirmation"
    dialog.confirm.click()
    assert gateways.admin.list_accounts() == []
    assert "'Primary' deleted" in text_of(gateways.notice)
    assert gateways.create_button.description == "Setup SMS Gateway"


def test_cancelling_delete_keeps_the_account(gateways, create_via_form):
    create_via_form(gateways, "Primary")
    gateways.open_delete(row_of(gateways, "Primary")).cancel.click()
    assert [a.name for a in gateways.admin.list_accounts()] == ["Primary"]
    assert gateways.dialog is None


def test_delete_of_a_linked_account_is_refused_naming_the_stores(admin, create_via_form, text_of):
    page = GatewaysPage(admin)
    create_via_form(page, "Primary", default=True)
    admin.create_identity_store(name="Corp AD")
    admin.create_identity_store(name="Partners")
    page.refresh()
    dialog = page.open_delete(row_of(page, "Primary"))  # refused at once, no confirmation first
    assert dialog.refused_stores == ["Corp AD", "Partners"]
    message = text_of(dialog.message)
    assert "cannot be deleted" in message and "'Corp AD'" in message and "'Partners'" in message
    assert dialog.confirm.layout.display == "none" and dialog.cancel.description == "Close"
    assert [a.name for a in admin.list_accounts()] == ["Primary"]
    page.close()


def test_store_linked_after_the_confirmation_opened_is_still_refused(admin, create_via_form, text_of):
    page = GatewaysPage(admin)
    create_via_form(page, "Primary")
    dialog = page.open_delete(row_of(page, "Primary"))
    assert dialog.confirm.layout.display != "none"
    admin.create_identity_store(name="Late")
    admin.link("Late", "Primary")
    dialog.confirm.click()
    assert dialog.refused_stores == ["Late"] and "'Late'" in text_of(dialog.message)
    assert [a.name for a in admin.list_accounts()] == ["Primary"]
    page.close()


def test_delete_of_an_account_changed_meanwhile_is_refused(gateways, create_via_form, text_of):
    create_via_form(gateways, "Primary")
    dialog = gateways.open_delete(row_of(gateways, "Primary"))
    gateways.admin.modify_account("Primary", sender_id="Changed")
    dialog.confirm.click()
    assert "changed by someone else" in text_of(dialog.message)
    assert [a.name for a in gateways.admin.list_accounts()] == ["Primary"]


def test_names_from_the_database_are_escaped_everywhere(gateways, create_via_form):
    hostile = "<img src=x onerror=alert(1)>"
    create_via_form(gateways, hostile, default=True)
    gateways.admin.create_identity_store(name="<b>store</b>")
    gateways.refresh()
    row = gateways.table.rows.children[0]
    html_shown = "".join(c.value for c in row.children[1:-1])
    assert "<img" not in html_shown and "&lt;img src=x" in html_shown and "<b>store" not in html_shown
    dialog = gateways.open_delete(gateways.table.record(hostile))
    assert "<img" not in dialog.question.value
    dialog.confirm.click()
    assert "<img" not in dialog.message.value and "&lt;b&gt;store" in dialog.message.value
