"""A store's routing in the browser: fallbacks reordered, a country route, the route preview, a test code
that fails over past a provider refusing connections, and where each account is used."""

from __future__ import annotations

import re

import pytest
from browser_support import Requests, open_app
from playwright.sync_api import Page, expect

from smsgw_kit.testing import RefusingPort

pytestmark = pytest.mark.browser
UK, PK = "447079692712", "923225867987"


@pytest.fixture
def drill(app_admin, emulator):
    """Accounts and a store made through the service before the page loads; removed afterwards."""
    dead = RefusingPort()
    made = []
    for name, provider, url in (("EU Nexmo", "Nexmo", dead.url_for("Nexmo")), ("Twilio PK", "Twilio", None),
                                ("Backup", "Clickatell", None)):
        fields = {k: v for k, v in emulator.account_settings(provider).items() if v is not None}
        app_admin.create_account(name=name, gateway_type=provider, **{**fields, **({"gateway_url": url} if url else {})})
        made.append(name)
    app_admin.create_identity_store(name="Drill AD")
    app_admin.link("Drill AD", "EU Nexmo")
    app_admin.set_routing_settings(cooldown_seconds=0)
    yield app_admin
    app_admin.delete_identity_store("Drill AD")
    for name in made:
        app_admin.delete_account(name)
    dead.close()


@pytest.fixture
def app(page: Page, voila_url: str, drill):
    errors: list[str] = []
    yield open_app(page, voila_url, Requests(), errors, height=1000)
    expect(page.locator(".jupyter-widgets-error-widget")).to_have_count(0)
    assert errors == []


def test_store_routing_page_in_the_browser(app: Page, drill, emulator, shots):
    page = app
    page.get_by_role("button", name="Identity Stores").click()
    stores = page.locator(".smsgw-page-stores")
    stores.locator(".smsgw-row", has_text="Drill AD").get_by_role("button", name="SMS Authentication").click()
    panel = page.locator(".smsgw-sms-auth")
    expect(panel.get_by_label("SMS gateway account")).to_have_value(re.compile(".+"))
    routing = panel.locator(".smsgw-store-routing")
    expect(routing).to_contain_text("No fallback accounts.")

    # Fallback accounts, added and reordered
    for name in ("Backup", "Twilio PK"):
        routing.get_by_label("Fallback account").select_option(label=name)
        routing.get_by_role("button", name="Add fallback").click()
        expect(routing.locator(".smsgw-fallback-rows")).to_contain_text(name)
    routing.locator(".smsgw-fallback-rows .smsgw-row", has_text="Twilio PK").get_by_role("button", name="Up").click()
    expect(routing.locator(".smsgw-fallback-name").first).to_have_text("1. Twilio PK")
    assert drill.store_routing("Drill AD").fallbacks == ("Twilio PK", "Backup")

    # A country route, with a bad country refused next to the field first
    routing.get_by_label("Country", exact=True).fill("Pakistan")
    routing.get_by_label("Route account").select_option(label="Twilio PK")
    routing.get_by_role("button", name="Add route").click()
    expect(routing).to_contain_text("neither a calling code nor a region")
    routing.get_by_label("Country", exact=True).fill("+92")
    routing.get_by_role("button", name="Add route").click()
    expect(routing.locator(".smsgw-route-rows")).to_contain_text("+92 → Twilio PK")

    # Route preview: the order a Pakistani number would take, and why
    routing.get_by_label("Mobile number").fill(PK)
    routing.get_by_role("button", name="Preview route").click()
    preview = routing.locator(".smsgw-preview-table")
    expect(preview.locator("tr").nth(1)).to_contain_text("Twilio PK")
    expect(preview.locator("tr").nth(1)).to_contain_text("route for +92")
    expect(preview.locator("tr").nth(2)).to_contain_text("EU Nexmo")
    shots(page, "09-store-routing-preview")

    # Send test code: the linked account refuses connections, the first fallback sends, once
    emulator.clear()
    routing.get_by_label("Mobile number").fill(UK)
    routing.get_by_role("button", name="Send test code").click()
    report = routing.locator(".smsgw-send-report")
    expect(report).to_contain_text("Sent through 'Twilio PK' (fallback 1)")
    expect(report.locator(".smsgw-attempts-table")).to_contain_text("refused the connection")
    shots(page, "10-send-test-code")
    sends = [r for r in emulator.requests if r.path.endswith("/Messages.json")]
    assert len(sends) == 1 and sends[0].form["To"] == "+" + UK

    # The SMS Gateways table shows where each account is used
    page.get_by_role("button", name="SMS Gateway", exact=True).click()
    gateways = page.locator(".smsgw-page-gateways")
    used = gateways.locator(".smsgw-row", has=page.locator(".smsgw-account-name", has_text="Twilio PK"))
    expect(used.locator(".smsgw-used-by")).to_contain_text("Drill AD (route for +92)")
    shots(page, "11-gateways-used-by")
