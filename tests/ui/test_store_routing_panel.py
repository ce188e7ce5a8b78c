"""The store's routing widgets: Fallback accounts (reorderable), Country routes, Route preview, Send test code."""

from __future__ import annotations

import pytest

from smsgw_kit.testing import RefusingPort
from smsgw_kit.ui import IdentityStoresPage

UK, PK = "447079692712", "923225867987"


@pytest.fixture
def all_text(text_of):
    """The text of every HTML widget under a box, in order."""
    def collect(widget) -> str:
        if hasattr(widget, "children"):
            return " ".join(collect(c) for c in widget.children)
        return text_of(widget) if type(widget).__name__ == "HTML" else ""
    return collect


@pytest.fixture
def page(sqlite_admin, emu):
    admin = sqlite_admin
    for name, provider in (("Primary", "Nexmo"), ("Twilio PK", "Twilio"), ("Backup", "Clickatell")):
        fields = {k: v for k, v in emu.account_settings(provider).items() if v is not None}
        admin.create_account(name=name, gateway_type=provider, set_default=name == "Primary", **fields)
    admin.create_identity_store(name="Corp AD")
    page = IdentityStoresPage(admin)
    page.open_sms_auth("Corp AD")
    yield page
    page.close()


def test_store_page_shows_link_and_routing_sections(page, all_text):
    assert page.panel.account.value == "Primary"
    shown = all_text(page.panel.root)
    for words in ("Fallback accounts", "Country routes", "Route preview", "No fallback accounts."):
        assert words in shown


def test_fallbacks_are_added_reordered_and_removed(page, text_of, all_text):
    routing = page.routing
    for name in ("Backup", "Twilio PK"):
        routing.fallback_choice.value = name
        routing.add_fallback_button.click()
    assert page.admin.store_routing("Corp AD").fallbacks == ("Backup", "Twilio PK")
    down = routing.fallback_rows.children[0].children[2]
    assert down.description == "Down" and not down.disabled
    down.click()
    assert page.admin.store_routing("Corp AD").fallbacks == ("Twilio PK", "Backup")
    assert "1. Twilio PK" in all_text(routing.fallback_rows)
    routing.fallback_rows.children[0].children[3].click()  # Remove Twilio PK
    assert page.admin.store_routing("Corp AD").fallbacks == ("Backup",)
    routing.fallback_choice.value = "Backup"
    routing.add_fallback_button.click()
    assert "listed twice" in text_of(routing.notice)


def test_country_routes_show_errors_by_the_field(page, text_of, all_text):
    routing = page.routing
    routing.country.input.set_state({"value": "Pakistan"})
    routing.route_account.value = "Twilio PK"
    routing.add_route_button.click()
    assert "calling code" in text_of(routing.country.error)
    routing.country.input.set_state({"value": "+92"})
    routing.add_route_button.click()
    assert "+92 → Twilio PK" in all_text(routing.route_rows)
    routing.route_rows.children[0].children[1].click()
    assert page.admin.store_routing("Corp AD").routes == ()


def test_route_preview_lists_the_accounts_in_order_with_reasons(page, text_of):
    page.admin.set_route("Corp AD", "92", "Twilio PK")
    page.admin.set_fallbacks("Corp AD", ["Backup"])
    routing = page.routing
    routing.preview_phone.input.set_state({"value": PK})
    routing.preview_button.click()
    shown = text_of(routing.preview_out)
    assert shown.index("Twilio PK") < shown.index("Primary") < shown.index("Backup")
    assert "route for +92" in shown and "fallback 1" in shown
    routing.preview_phone.input.set_state({"value": "12"})
    routing.preview_button.click()
    assert "is not a phone number" in text_of(routing.preview_phone.error)


def test_send_test_code_shows_every_attempt(page, emu, text_of):
    with RefusingPort() as dead:
        page.admin.modify_account("Primary", gateway_url=dead.url_for("Nexmo"))
        page.admin.set_fallbacks("Corp AD", ["Twilio PK"])
        routing = page.routing
        routing.preview_phone.input.set_state({"value": UK})
        emu.inject("Twilio", latency=0.3)  # still sending when the second click comes
        assert routing.send_test_code() is not None
        assert routing.send_button.disabled and "Sending a test code" in text_of(routing.send_out)
        assert routing.send_test_code() is None, "a second click while sending must not send a second code"
        report = routing.wait()
    shown = text_of(routing.send_out)
    assert report.outcome == "sent" and "Sent through 'Twilio PK'" in shown
    assert "refused the connection" in shown and report.code not in shown
    assert len([r for r in emu.requests if r.path.endswith("/Messages.json")]) == 1
    assert not routing.send_button.disabled


def test_gateways_table_shows_where_each_account_is_used(page, all_text):
    from smsgw_kit.ui import GatewaysPage

    page.admin.set_route("Corp AD", "92", "Twilio PK")
    page.admin.set_fallbacks("Corp AD", ["Backup"])
    gateways = GatewaysPage(page.admin)
    used = {r.name: r.used_by for r in gateways.table.records()}
    assert used == {"Backup": ["Corp AD (fallback)"], "Primary": ["Corp AD"], "Twilio PK": ["Corp AD (route for +92)"]}
    assert "Corp AD (route for +92)" in all_text(gateways.table.root)
    gateways.close()


def test_delete_dialog_refuses_a_fallback_or_routed_account_naming_store_and_role(page, text_of):
    from smsgw_kit.ui import GatewaysPage

    page.admin.set_fallbacks("Corp AD", ["Backup"])
    page.admin.create_identity_store(name="Branch")
    page.admin.set_route("Branch", "GB", "Backup")
    gateways = GatewaysPage(page.admin)
    dialog = gateways.open_delete(gateways.table.record("Backup"))
    message = text_of(dialog.message)
    assert "'Branch' (route for GB (+44)), 'Corp AD' (fallback)" in message
    assert dialog.refused_stores == ["Branch", "Corp AD"] and dialog.confirm.layout.display == "none"
    assert "Backup" in [a.name for a in page.admin.list_accounts()]
    gateways.close()
