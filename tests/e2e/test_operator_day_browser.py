"""The operator's day in Voilà: compact rows, one phone hint, testing many accounts, the value shown is the
value used, two Admin Centers, stale edits, a narrow window, and a page that needs nothing from the internet."""

from __future__ import annotations

import itertools
import sys

import pytest
from browser_support import NOTEBOOK, Requests, free_port, open_app, row, serve
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
SEED_NUMBER = "447079692712"


def nexmo(emulator, **changes) -> dict:
    return {**{k: v for k, v in emulator.account_settings("Nexmo").items() if v is not None}, **changes}


def gateways(page: Page):
    page.get_by_role("button", name="SMS Gateway", exact=True).click()
    return page.locator(".smsgw-page-gateways")


@pytest.fixture(autouse=True)
def no_accounts(app_admin, emulator):
    """Each test starts from an empty database (stores unlinked and deleted, then accounts)."""
    emulator.clear()
    for store in app_admin.list_identity_stores():
        app_admin.delete_identity_store(store.id)
    for account in app_admin.list_accounts():
        app_admin.delete_account(account.id)
    yield
    emulator.clear()


def test_rows_are_one_line_high_and_show_the_full_url_on_hover(app: Page, emulator, app_admin):
    long_url = emulator.url_for("Nexmo") + "?route=" + "very-long-route-name-" * 4
    app_admin.create_account(name="Default one", gateway_type="Nexmo", **nexmo(emulator, gateway_url=long_url))
    app_admin.set_default("Default one")
    app_admin.create_account(name="Other one", gateway_type="Nexmo", **nexmo(emulator, gateway_url=long_url))
    page = app
    gateways(page)
    expect(row(page, "Other one")).to_be_visible()
    for name in ("Default one", "Other one"):
        height = row(page, name).bounding_box()["height"]
        assert height < 40, f"{name}: one line high at 1400 px, got {height}px"
    url_cell = row(page, "Other one").locator(".smsgw-url")
    assert url_cell.get_attribute("title") == long_url
    assert url_cell.evaluate("e => e.scrollWidth > e.clientWidth"), "the long URL is cut on the row..."
    url_cell.hover()  # ...and shown whole on hover (the cell's title)


def test_one_phone_hint_and_errors_under_their_input(app: Page, emulator, app_admin):
    app_admin.create_account(name="Hinted", gateway_type="Nexmo", **nexmo(emulator))
    page = app
    gateways(page)
    row(page, "Hinted").get_by_role("button", name="Test Connection").click()
    dialog = page.locator(".smsgw-test-dialog")
    phone = dialog.get_by_label("Mobile Number")
    expect(phone).to_have_attribute("placeholder", SEED_NUMBER)
    width = phone.bounding_box()["width"]
    phone.fill("12345")
    dialog.get_by_role("button", name="OK").click()
    error = dialog.locator(".smsgw-field-phone .smsgw-field-error")
    expect(error).to_contain_text("no spaces, e.g. 447079692712")
    assert "+44 7079" not in error.inner_text()
    assert "no spaces" in dialog.inner_text().split("Mobile Number")[0]
    assert error.bounding_box()["y"] >= phone.bounding_box()["y"] + phone.bounding_box()["height"] - 1
    assert phone.bounding_box()["width"] == width


def test_the_value_shown_is_the_value_used(app: Page, emulator, app_admin):
    app_admin.create_account(name="Typed", gateway_type="Nexmo", **nexmo(emulator))
    page = app
    listing = gateways(page)
    row(page, "Typed").get_by_role("button", name="Test Connection").click()
    dialog = page.locator(".smsgw-test-dialog")
    dialog.get_by_label("Mobile Number").press_sequentially(SEED_NUMBER)
    dialog.get_by_role("button", name="OK").click()  # at once, while the last keystrokes are on their way
    expect(dialog.locator(".smsgw-report-outcome")).to_contain_text("Passed", timeout=30_000)
    assert SEED_NUMBER.encode() in emulator.requests_for("Nexmo")[-1].body
    dialog.get_by_role("button", name="Cancel").click()
    # The same in a form: type a name and press Create at once.
    listing.get_by_role("button", name="Create SMS Gateway").click()
    form = page.locator(".smsgw-page-account-form")
    form.get_by_label("Gateway Type *").select_option("Nexmo")
    settings = nexmo(emulator)
    for label, key in (("Gateway URL *", "gateway_url"), ("API Key *", "user_name"), ("API Secret *", "password"),
                       ("Sender ID (From) *", "sender_id")):
        form.get_by_label(label).fill(settings[key])
    form.get_by_label("Name *", exact=True).press_sequentially("Typed quickly 1234567890")
    form.get_by_role("button", name="Create SMS Gateway").click()
    expect(listing.locator(".smsgw-notice")).to_contain_text("'Typed quickly 1234567890' created")


def test_test_many_with_progress_cancel_and_a_summary_of_failures(app: Page, emulator, app_admin, shots):
    app_admin.create_account(name="Good", gateway_type="Nexmo", **nexmo(emulator))
    app_admin.create_account(name="Bad secret", gateway_type="Nexmo", **nexmo(emulator, password="wrong-secret"))
    app_admin.create_account(name="Third", gateway_type="Nexmo", **nexmo(emulator))
    page = app
    listing = gateways(page)
    panel = listing.locator(".smsgw-test-many")
    row(page, "Good").locator(".smsgw-select input").check()
    row(page, "Bad secret").locator(".smsgw-select input").check()
    selected = panel.get_by_role("button", name="Test Connection: selected (2)")
    expect(selected).to_be_enabled()
    selected.click()
    summary = panel.locator(".smsgw-test-many-summary")
    expect(summary).to_contain_text("Tested 2 of 2", timeout=30_000)
    failures = summary.locator(".smsgw-failures")
    expect(failures).to_contain_text("Bad secret")
    expect(failures).to_contain_text("Credentials")
    expect(failures).not_to_contain_text("Good")
    expect(row(page, "Good").locator(".smsgw-last-test")).to_contain_text("Passed")
    shots(page, "09-test-many")

    # Many slow accounts: progress shows, the kernel keeps answering, Cancel skips those not started.
    for i in range(20):
        app_admin.create_account(name=f"Slow {i:02d}", gateway_type="Nexmo", **nexmo(emulator))
    emulator.inject("Nexmo", latency=2.0, count=200)  # each request (with a number, the message too) is slow
    page.get_by_role("button", name="SMS Gateway", exact=True).click()
    panel.get_by_label("Mobile Number").fill(SEED_NUMBER)
    before = len(app_admin.test_history_frame())
    panel.get_by_role("button", name="Test Connection: all accounts").click()
    expect(panel.locator(".smsgw-progress")).to_be_visible()
    row(page, "Slow 03").locator(".smsgw-select input").check()  # answered while the tests run
    expect(panel.get_by_role("button", name="Test Connection: selected (3)")).to_be_visible()
    panel.get_by_role("button", name="Cancel tests").click()
    expect(summary).to_contain_text("cancelled", timeout=60_000)
    expect(panel.locator(".smsgw-progress")).to_be_hidden()
    ran = len(app_admin.test_history_frame()) - before
    assert 0 < ran < 23, f"some tests ran, the rest were cancelled ({ran} of 23 ran)"
    expect(summary).to_contain_text(f"Tested {ran} of 23")


def test_two_admin_centers_see_each_others_changes(app: Page, voila_url, emulator, app_admin):
    first = app
    second = first.context.new_page()
    requests, errors = Requests(), []
    open_app(second, voila_url, requests, errors)
    gateways(first)
    gateways(second)
    app_admin.create_account(name="Made elsewhere", gateway_type="Nexmo", **nexmo(emulator))
    expect(row(first, "Made elsewhere")).to_be_visible(timeout=15_000)
    expect(row(second, "Made elsewhere")).to_be_visible(timeout=15_000)
    row(first, "Made elsewhere").get_by_role("button", name="Set as default").click()
    expect(row(second, "Made elsewhere").locator(".smsgw-default")).to_have_text("Yes", timeout=15_000)
    assert errors == [] and requests.outside() == []
    second.close()


def test_a_stale_edit_says_who_changed_the_account_and_when(app: Page, emulator, app_admin):
    app_admin.create_account(name="Contested", gateway_type="Nexmo", **nexmo(emulator))
    page = app
    gateways(page)
    row(page, "Contested").get_by_role("button", name="Edit").click()
    form = page.locator(".smsgw-page-account-form")
    form.get_by_label("Sender ID (From) *").fill("MINE")
    app_admin.modify_account("Contested", sender_id="THEIRS")  # someone else saves first (actor "e2e")
    form.get_by_role("button", name="Save SMS Gateway").click()
    message = form.locator(".smsgw-form-message")
    expect(message).to_contain_text("changed by someone else")
    expect(message).to_contain_text("by e2e at 20")
    assert app_admin.get_account("Contested").sender_id == "THEIRS"


def test_the_table_stays_legible_800_px_wide(app: Page, emulator, app_admin):
    app_admin.create_account(name="Narrow", gateway_type="Nexmo", **nexmo(emulator))
    page = app
    page.set_viewport_size({"width": 800, "height": 900})
    gateways(page)
    expect(row(page, "Narrow")).to_be_visible()
    headers = page.locator(".smsgw-table-header .smsgw-th")
    boxes = [headers.nth(i).bounding_box() for i in range(headers.count())]
    for left, right in itertools.pairwise(boxes):
        assert left["x"] + left["width"] <= right["x"] + 1, "headers must not run into each other"
    for i in range(headers.count()):
        assert headers.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth"), headers.nth(i).inner_text()
    last_test = row(page, "Narrow").locator(".smsgw-last-test")
    assert last_test.evaluate("e => e.scrollWidth <= e.clientWidth"), "cells are not cut to 'Nex…'"


def test_the_recorder_sees_what_the_stock_template_would_fetch(page: Page, voila_env, tmp_path):
    """The offline proof is only as good as its recorder: Voilà's stock lab template does reach out."""
    port = free_port()
    cmd = [sys.executable, "-m", "voila", str(NOTEBOOK), "--template=lab", "--no-browser", "--Voila.ip=127.0.0.1",
           f"--port={port}", "--Voila.port_retries=0"]
    base = f"http://127.0.0.1:{port}"
    for _ in serve(cmd, voila_env, NOTEBOOK.parent, f"{base}/voila/static/voila-style.js", tmp_path / "log"):
        requests, errors = Requests(), []
        open_app(page, base + "/", requests, errors)
        assert any("cdn.jsdelivr.net" in url for url in requests.outside()), requests.outside()
