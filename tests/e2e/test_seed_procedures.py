"""The seed's procedures in Voilà and headless Chromium, one test per procedure so a failure names it.

Each test prepares what it needs through the service (its own account names), so the tests stand alone
while sharing one Voilà server (a fresh kernel per page load)."""

from __future__ import annotations

import re

import pytest
from browser_support import inside_viewport, row
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
SEED_NUMBER = "447079692712"


def nexmo(emulator) -> dict:
    return {k: v for k, v in emulator.account_settings("Nexmo").items() if v is not None}


def gateways(page: Page):
    """Click SMS Gateway at the bottom of the left navigation pane; the SMS Gateways page."""
    page.get_by_role("button", name="SMS Gateway", exact=True).click()
    listing = page.locator(".smsgw-page-gateways")
    expect(listing.get_by_role("heading", name="SMS Gateways")).to_be_visible()
    return listing


def reload(page: Page) -> None:
    page.reload()
    expect(page.locator(".smsgw-admin")).to_be_visible(timeout=60_000)


def test_navigation_item_and_empty_state(app: Page, app_admin, shots):
    page = app
    assert app_admin.list_accounts() == [], "runs first, on the module's empty database"
    assert "AdminCenter(" not in page.content(), "Voilà must not show the notebook's code"
    items = page.locator(".smsgw-nav .smsgw-nav-item")
    labels = items.all_inner_texts()
    assert labels[-1] == "SMS Gateway", labels
    tops = [b["y"] for b in (items.nth(i).bounding_box() for i in range(items.count()))]
    assert tops[-1] == max(tops), "SMS Gateway sits at the bottom of the left navigation pane"
    listing = gateways(page)
    empty = listing.locator(".smsgw-empty")
    expect(empty).to_contain_text("No SMS gateway account yet")
    expect(empty).to_contain_text("Setup SMS Gateway")
    expect(listing.get_by_role("button", name="Setup SMS Gateway")).to_be_visible()
    expect(listing.locator(".smsgw-accounts-table")).to_be_hidden()
    shots(page, "01-sms-gateways-empty")


def test_create(app: Page, emulator, app_admin, shots):
    page, settings = app, emulator.account_settings("Nexmo")
    listing = gateways(page)
    listing.locator(".smsgw-create-gateway").click()
    form = page.locator(".smsgw-page-account-form")
    expect(form.get_by_role("heading", name="Create SMS Gateway")).to_be_visible()
    form.get_by_label("Name *", exact=True).fill("Primary")
    form.get_by_label("Gateway Type *").select_option("Nexmo")
    url = form.get_by_label("Gateway URL *")
    expect(url).to_have_value("https://rest.nexmo.com/sms/json")
    url.fill(settings["gateway_url"])
    form.get_by_label("API Key *").fill(settings["user_name"])
    form.get_by_label("API Secret *").fill(settings["password"])
    form.get_by_label("Sender ID (From) *").fill(settings["sender_id"])
    form.get_by_role("button", name="Show Proxy Options").click()
    expect(form.get_by_label("Proxy Host Name")).to_be_visible()
    shots(page, "02-create-sms-gateway")

    # Test Connection on the unsaved values: the dialog opens where the operator looks, result in view.
    form.get_by_role("button", name="Test Connection").click()
    dialog = page.locator(".smsgw-test-dialog")
    dialog.get_by_label("Mobile Number").fill(SEED_NUMBER)
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.locator(".smsgw-report-outcome")).to_contain_text("Passed", timeout=30_000)
    assert inside_viewport(page, dialog.locator(".smsgw-test-result")), "the result must show without scrolling"
    assert inside_viewport(page, dialog.locator(".smsgw-stages"))
    shots(page, "03-test-connection-from-the-form")
    dialog.get_by_role("button", name="Cancel").click()

    # A refused save keeps what was typed, the API Secret too; the error sits under its input.
    host = form.get_by_label("Proxy Host Name")
    width = host.bounding_box()["width"]
    form.get_by_label("Proxy Password", exact=True).fill("proxy-s3cret")
    form.get_by_role("button", name="Create SMS Gateway").click()
    error = form.locator(".smsgw-field-proxy-host-name .smsgw-field-error")
    expect(error).to_contain_text("Proxy Host Name is required")
    assert error.bounding_box()["y"] >= host.bounding_box()["y"] + host.bounding_box()["height"] - 1
    assert host.bounding_box()["width"] == width, "a long error must not squeeze its input"
    expect(form.get_by_label("API Secret *")).to_have_value(settings["password"])
    expect(form.get_by_label("Proxy Password", exact=True)).to_have_value("proxy-s3cret")
    form.get_by_label("Proxy Password", exact=True).fill("")
    form.get_by_role("button", name="Hide Proxy Options").click()
    form.get_by_role("button", name="Create SMS Gateway").click()
    expect(listing.locator(".smsgw-notice")).to_contain_text("'Primary' created")
    expect(listing.get_by_role("button", name="Create SMS Gateway")).to_be_visible()
    account = app_admin.get_account("Primary")
    assert account.password_set and not account.proxy_password_set


def test_modify(app: Page, emulator, app_admin):
    app_admin.create_account(name="To modify", gateway_type="Nexmo", **nexmo(emulator))
    page = app
    listing = gateways(page)
    row(page, "To modify").get_by_role("button", name="Edit").click()
    form = page.locator(".smsgw-page-account-form")
    expect(form.get_by_role("heading", name="Edit SMS Gateway")).to_be_visible()
    expect(form.get_by_label("Name *", exact=True)).to_have_value("To modify")
    expect(form.get_by_label("API Secret *")).to_have_value("")
    form.get_by_label("Name *", exact=True).fill("Modified")
    form.get_by_label("Sender ID (From) *").fill("SMSGW")
    form.get_by_role("button", name="Save SMS Gateway").click()
    expect(listing.locator(".smsgw-notice")).to_contain_text("'Modified' saved")
    expect(row(page, "Modified")).to_be_visible()
    assert app_admin.get_account("Modified").sender_id == "SMSGW"
    assert app_admin.get_account("Modified").password_set, "no new password keeps the old one"


def test_set_default(app: Page, emulator, app_admin):
    app_admin.create_account(name="Becomes default", gateway_type="Nexmo", **nexmo(emulator))
    page = app
    listing = gateways(page)
    row(page, "Becomes default").get_by_role("button", name="Edit").click()
    form = page.locator(".smsgw-page-account-form")
    form.get_by_label("Set as default account").check()
    form.get_by_role("button", name="Save SMS Gateway").click()
    expect(listing.locator(".smsgw-notice")).to_contain_text("'Becomes default' saved")
    expect(row(page, "Becomes default").locator(".smsgw-default")).to_have_text("Yes")
    assert app_admin.default_account().name == "Becomes default"


def test_test_connection(app: Page, emulator, app_admin, shots):
    app_admin.create_account(name="To test", gateway_type="Nexmo", **nexmo(emulator))
    page = app
    gateways(page)
    page.mouse.wheel(0, 2000)  # wherever the page is scrolled, the dialog opens in view
    row(page, "To test").get_by_role("button", name="Test Connection").click()
    dialog = page.locator(".smsgw-test-dialog")
    expect(dialog).to_contain_text("18588123169, 447079692712, 923225867987")
    dialog.get_by_label("Mobile Number").fill(SEED_NUMBER)
    emulator.inject("Nexmo", latency=1.0, count=1)  # slow provider: the busy state must show
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.locator(".smsgw-busy")).to_be_visible()
    expect(dialog.get_by_role("button", name="OK")).to_be_disabled()
    expect(dialog.locator(".smsgw-report-outcome")).to_contain_text("Passed", timeout=30_000)
    expect(dialog.locator(".smsgw-busy")).to_be_hidden()
    expect(dialog.locator(".smsgw-stages")).to_contain_text("Test message")
    assert inside_viewport(page, dialog.locator(".smsgw-stages"))
    expect(row(page, "To test").locator(".smsgw-last-test")).to_contain_text("Passed")
    shots(page, "04-test-connection")
    dialog.get_by_role("button", name="Cancel").click()
    assert any(r.provider == "Nexmo" and SEED_NUMBER.encode() in (r.body or b"") for r in emulator.requests)


def test_link(app: Page, emulator, app_admin, shots):
    app_admin.create_account(name="To link", gateway_type="Nexmo", **nexmo(emulator))
    app_admin.set_default("To link")
    page = app
    page.get_by_role("button", name="Identity Stores").click()
    stores = page.locator(".smsgw-page-stores")
    stores.get_by_label("Name *", exact=True).fill("Corp AD")
    stores.get_by_role("button", name="Create Identity Store").click()
    expect(stores.locator(".smsgw-notice")).to_contain_text("linked to the default account 'To link'")
    store_row = stores.locator(".smsgw-row", has_text="Corp AD")
    expect(store_row.locator(".smsgw-linked-account")).to_have_text("To link")
    store_row.get_by_role("button", name="SMS Authentication").click()
    panel = page.locator(".smsgw-sms-auth")
    expect(panel.get_by_label("SMS gateway account")).to_have_value("To link")
    expect(panel.locator(".smsgw-segments")).to_contain_text("GSM-7")
    panel.get_by_label("SMS gateway account").select_option(label="(no SMS gateway account)")
    panel.get_by_role("button", name="Save").click()
    expect(panel).to_contain_text("saved")
    expect(store_row.locator(".smsgw-linked-account")).to_have_text("—")
    panel.get_by_role("button", name="Close").click()
    # An unlinked store's drop-down says so instead of showing a blank box.
    store_row.get_by_role("button", name="SMS Authentication").click()
    chosen = panel.get_by_label("SMS gateway account").evaluate("s => s.options[s.selectedIndex]?.text")
    assert chosen.replace("\xa0", " ") == "(no SMS gateway account)"
    panel.get_by_label("SMS gateway account").select_option(label="To link")
    panel.get_by_role("button", name="Save").click()
    expect(store_row.locator(".smsgw-linked-account")).to_have_text("To link")
    shots(page, "05-sms-authentication")
    assert app_admin.get_identity_store("Corp AD").gateway_account_name == "To link"


def test_delete(app: Page, emulator, app_admin, shots):
    app_admin.create_account(name="Linked one", gateway_type="Nexmo", **nexmo(emulator))
    app_admin.create_account(name="Free one", gateway_type="Nexmo", **nexmo(emulator))
    app_admin.create_identity_store(name="Branch AD")
    app_admin.link("Branch AD", "Linked one")
    page = app
    listing = gateways(page)
    row(page, "Linked one").get_by_role("button", name="Delete").click()
    confirm = page.locator(".smsgw-delete-dialog")
    expect(confirm.locator(".smsgw-delete-message")).to_contain_text("cannot be deleted")
    expect(confirm.locator(".smsgw-delete-message")).to_contain_text("'Branch AD'")
    assert inside_viewport(page, confirm)
    shots(page, "06-delete-refused")
    confirm.get_by_role("button", name="Close").click()
    row(page, "Free one").get_by_role("button", name="Delete").click()
    expect(confirm).to_contain_text("Delete the SMS gateway account Free one?")
    confirm.get_by_role("button", name="Delete").click()
    expect(listing.locator(".smsgw-notice")).to_contain_text("'Free one' deleted")
    expect(row(page, "Free one")).to_have_count(0)
    assert "Free one" not in [a.name for a in app_admin.list_accounts()]
    assert re.search("Linked one", " ".join(a.name for a in app_admin.list_accounts()))


def test_history_and_audit(app: Page, emulator, app_admin, shots):
    app_admin.create_account(name="History one", gateway_type="Nexmo", **nexmo(emulator))
    app_admin.test_connection("History one", SEED_NUMBER)
    page = app
    page.get_by_role("button", name="History").click()
    history = page.locator(".smsgw-page-history")
    expect(history.locator(".smsgw-history-table")).to_contain_text("History one")
    plot = history.locator(".smsgw-history-plot svg")
    expect(plot).to_be_visible()
    expect(plot.locator("text", has_text="History one")).to_have_count(1)
    assert plot.locator(".smsgw-plot-run").count() == len(app_admin.test_history_frame())
    row_height = history.locator(".smsgw-history-table tbody tr").first.bounding_box()["height"]
    assert row_height < 30, f"History rows stay one line high ({row_height}px)"
    shots(page, "07-history")
    page.get_by_role("button", name="Audit").click()
    audit = page.locator(".smsgw-page-audit")
    expect(audit.locator(".smsgw-audit-table")).to_contain_text("account.create")
    label = audit.locator(".widget-label", has_text="Account/Store")
    assert label.evaluate("e => e.scrollWidth <= e.clientWidth"), "the filter label is not cut"
    shots(page, "08-audit")
