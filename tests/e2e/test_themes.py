"""Every page and dialog reads in Voilà's light and dark theme: text contrast of at least 4.5:1, measured
from the browser's computed styles."""

from __future__ import annotations

import pytest
from browser_support import delete_dialogs_read, low_contrast, row
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=["light", "dark"])
def voila_theme(request) -> str:
    return request.param


def test_pages_and_dialogs_read_in_the_theme(app: Page, voila_theme, emulator, app_admin, shots):
    settings = {k: v for k, v in emulator.account_settings("Nexmo").items() if v is not None}
    name, bad, store = f"Themed {voila_theme}", f"Bad secret {voila_theme}", f"Themed AD {voila_theme}"
    app_admin.create_account(name=name, gateway_type="Nexmo", **settings)
    app_admin.create_account(name=bad, gateway_type="Nexmo", **{**settings, "password": "nope"})
    app_admin.test_connection(name, "447079692712")
    app_admin.create_identity_store(name=store)
    app_admin.link(store, name)
    page = app
    light = page.locator("body").get_attribute("data-jp-theme-light")
    assert light == ("true" if voila_theme == "light" else "false")
    admin = page.locator(".smsgw-admin")
    page.get_by_role("button", name="SMS Gateway", exact=True).click()
    expect(row(page, name)).to_be_visible()
    assert low_contrast(admin) == []

    # Test SMS Gateway Connection: title, Mobile Number label, failed result and stage table.
    row(page, bad).get_by_role("button", name="Test Connection").click()
    dialog = page.locator(".smsgw-test-dialog")
    dialog.get_by_label("Mobile Number").fill("447079692712")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.locator(".smsgw-report-outcome")).to_contain_text("Failed", timeout=30_000)
    assert low_contrast(dialog) == []
    shots(page, f"10-{voila_theme}-test-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)  # closed before the next click lands where it was

    # Delete, refused (linked) and confirmed: which account is about to be deleted.
    delete_dialogs_read(page, name, store, bad)

    # The form with errors and hints.
    row(page, name).get_by_role("button", name="Edit").click()
    form = page.locator(".smsgw-page-account-form")
    form.get_by_label("Sender ID (From) *").fill("")
    form.get_by_role("button", name="Save SMS Gateway").click()
    expect(form.locator(".smsgw-field-error", has_text="required")).to_be_visible()
    assert low_contrast(form) == []
    form.get_by_role("button", name="Cancel").click()

    # SMS Authentication, History (with its plot) and Audit.
    page.get_by_role("button", name="Identity Stores").click()
    page.locator(".smsgw-row", has_text=store).get_by_role("button", name="SMS Authentication").click()
    panel = page.locator(".smsgw-sms-auth")
    expect(panel.locator(".smsgw-segments")).to_contain_text("GSM-7")
    assert low_contrast(panel) == []
    for name in ("History", "Audit"):
        page.get_by_role("button", name=name).click()
        expect(page.locator(f".smsgw-page-{name.lower()} table")).to_be_visible()
        assert low_contrast(admin) == []
    shots(page, f"11-{voila_theme}-history")
