"""The seed's procedures end to end: Voilà serves the Admin Center, headless Chromium clicks through it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
SEED_NUMBER = "447079692712"


@pytest.fixture
def app(page: Page, voila_url: str):
    """The Admin Center loaded in the browser, with page errors collected (and asserted empty at the end)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    page.set_default_timeout(20_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(voila_url)
    expect(page.locator(".smsgw-admin")).to_be_visible(timeout=60_000)
    yield page
    expect(page.locator(".jupyter-widgets-error-widget")).to_have_count(0)
    assert errors == []


def row(page: Page, name: str):
    return page.locator(".smsgw-row", has=page.locator(".smsgw-account-name", has_text=re.compile(f"^{name}$")))


def test_every_procedure_of_the_seed_in_the_browser(app: Page, emulator, app_admin, shots):
    page = app
    settings = emulator.account_settings("Nexmo")
    gateways = page.locator(".smsgw-page-gateways")

    assert "AdminCenter(" not in page.content(), "Voilà must not show the notebook's code"

    # Create an SMS Gateway Account (the first one: Setup SMS Gateway)
    expect(page.get_by_role("button", name="Setup SMS Gateway")).to_be_visible()
    shots(page, "01-sms-gateways-empty")
    page.get_by_role("button", name="Setup SMS Gateway").click()
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
    form.get_by_role("button", name="Hide Proxy Options").click()
    form.get_by_role("button", name="Create SMS Gateway").click()
    expect(gateways.locator(".smsgw-notice")).to_contain_text("'Primary' created")
    expect(page.get_by_role("button", name="Create SMS Gateway")).to_be_visible()
    assert app_admin.get_account("Primary").password_set

    # Modify it and set it as default (Edit → Set as default account → Save SMS Gateway)
    row(page, "Primary").get_by_role("button", name="Edit").click()
    expect(form.get_by_label("Name *", exact=True)).to_have_value("Primary")
    expect(form.get_by_label("API Secret *")).to_have_value("")
    form.get_by_label("Sender ID (From) *").fill("SMSGW")
    form.get_by_label("Set as default account").check()
    form.get_by_role("button", name="Save SMS Gateway").click()
    expect(gateways.locator(".smsgw-notice")).to_contain_text("'Primary' saved")
    expect(row(page, "Primary").locator(".smsgw-default")).to_have_text("Yes")
    assert app_admin.default_account().sender_id == "SMSGW"

    # Test SMS Gateway Account Connection with one of the seed's example numbers
    row(page, "Primary").get_by_role("button", name="Test Connection").click()
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
    expect(row(page, "Primary").locator(".smsgw-last-test")).to_contain_text("Passed")
    shots(page, "03-test-connection")
    dialog.get_by_role("button", name="Cancel").click()
    assert any(r.provider == "Nexmo" and SEED_NUMBER.encode() in (r.body or b"") for r in emulator.requests)

    # A new identity store is linked to the default account
    page.get_by_role("button", name="Identity Stores").click()
    stores = page.locator(".smsgw-page-stores")
    stores.get_by_label("Name *", exact=True).fill("Corp AD")
    stores.get_by_role("button", name="Create Identity Store").click()
    expect(stores.locator(".smsgw-notice")).to_contain_text("linked to the default account 'Primary'")
    expect(stores.locator(".smsgw-row", has_text="Corp AD").locator(".smsgw-linked-account")).to_have_text("Primary")
    shots(page, "04-identity-stores")

    # Deleting the linked account is refused, naming the store
    page.get_by_role("button", name="SMS Gateways").click()
    row(page, "Primary").get_by_role("button", name="Delete").click()
    confirm = page.locator(".smsgw-delete-dialog")
    expect(confirm.locator(".smsgw-delete-message")).to_contain_text("cannot be deleted")
    expect(confirm.locator(".smsgw-delete-message")).to_contain_text("'Corp AD'")
    shots(page, "05-delete-refused")
    confirm.get_by_role("button", name="Close").click()

    # Unlink the store (SMS Authentication), then delete with confirmation
    page.get_by_role("button", name="Identity Stores").click()
    stores.locator(".smsgw-row", has_text="Corp AD").get_by_role("button", name="SMS Authentication").click()
    panel = page.locator(".smsgw-sms-auth")
    expect(panel.get_by_label("SMS gateway account")).to_have_value(re.compile(".+"))
    expect(panel.locator(".smsgw-segments")).to_contain_text("GSM-7")
    panel.get_by_label("SMS gateway account").select_option(label="(no SMS gateway account)")
    shots(page, "06-sms-authentication")
    panel.get_by_role("button", name="Save").click()
    expect(panel).to_contain_text("saved")
    expect(stores.locator(".smsgw-row", has_text="Corp AD").locator(".smsgw-linked-account")).to_have_text("—")

    page.get_by_role("button", name="SMS Gateways").click()
    row(page, "Primary").get_by_role("button", name="Delete").click()
    expect(confirm).to_contain_text("Delete the SMS gateway account Primary?")
    confirm.get_by_role("button", name="Delete").click()
    expect(gateways.locator(".smsgw-notice")).to_contain_text("'Primary' deleted")
    expect(page.get_by_role("button", name="Setup SMS Gateway")).to_be_visible()
    assert app_admin.list_accounts() == []

    # History and Audit
    page.get_by_role("button", name="History").click()
    expect(page.locator(".smsgw-history-table")).to_contain_text("Primary")
    shots(page, "07-history")
    page.get_by_role("button", name="Audit").click()
    expect(page.locator(".smsgw-audit-table")).to_contain_text("account.delete")
    shots(page, "08-audit")
