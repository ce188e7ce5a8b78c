"""Create SMS Gateway / Edit SMS Gateway: the seed's steps 3–10, every error next to its field."""

from __future__ import annotations

import pytest

from smsgw_kit.gateways import (
    GatewayInfo,
    field_specs,
    gateway_types,
    register_gateway,
    unregister_gateway,
)
from smsgw_kit.gateways.generic import GenericHttpGateway
from smsgw_kit.ui import GatewaysPage


@pytest.fixture
def gateways(sqlite_admin):
    page = GatewaysPage(sqlite_admin)
    yield page
    page.close()


def test_button_reads_setup_then_create(admin, create_via_form):
    gateways = GatewaysPage(admin)
    assert gateways.create_button.description == "Setup SMS Gateway"
    create_via_form(gateways, "Primary")
    assert gateways.create_button.description == "Create SMS Gateway"
    assert "Primary" in gateways.notice.value and "created" in gateways.notice.value
    assert list(gateways.table.shown["name"]) == ["Primary"]
    gateways.close()


def test_gateway_type_lists_every_registered_type_including_custom(gateways):
    class Acme(GenericHttpGateway):
        info = GatewayInfo(name="Acme SMS", description="Our own gateway", default_url="https://sms.acme.test/send",
                           fields=field_specs(required=("gateway_url", "account_id"), account_id="Tenant"))

    register_gateway(Acme)
    try:
        form = gateways.open_create()
        assert list(form.gateway_type.input.options) == list(gateway_types())
        assert "Acme SMS" in form.gateway_type.input.options
        form.gateway_type.input.value = "Acme SMS"
        assert form.fields["gateway_url"].value == "https://sms.acme.test/send"
        assert form.fields["account_id"].input.description == "Tenant *"
        assert "Our own gateway" in form.description.value
    finally:
        unregister_gateway("Acme SMS")


def test_url_appears_when_a_type_is_chosen_and_labels_follow_the_type(gateways):
    form = gateways.open_create()
    assert form.title == "Create SMS Gateway" and form.submit_button.description == "Create SMS Gateway"
    assert form.fields["gateway_url"].root.layout.display == "none"
    form.gateway_type.input.value = "Twilio"
    assert form.fields["gateway_url"].root.layout.display is None
    assert form.fields["gateway_url"].value == "https://api.twilio.com/2010-04-01"
    assert form.fields["account_id"].input.description == "Account SID *"
    assert form.fields["password"].input.description == "Auth Token *"
    assert form.fields["user_name"].input.description == "User Name (unused)"
    form.gateway_type.input.value = "Nexmo"  # the URL follows the type while the operator has not changed it
    assert form.fields["gateway_url"].value == "https://rest.nexmo.com/sms/json"
    assert form.fields["user_name"].input.description == "API Key *"
    form.fields["gateway_url"].value = "https://my.proxy.test/sms/json"
    form.gateway_type.input.value = "Clickatell"
    assert form.fields["gateway_url"].value == "https://my.proxy.test/sms/json"


def test_show_proxy_options_reveals_the_six_proxy_fields(gateways):
    form = gateways.open_create()
    assert form.proxy_box.layout.display == "none"
    form.proxy_toggle.click()
    assert form.proxy_box.layout.display is None
    labels = [c.children[0].description for c in form.proxy_box.children[:-2]]
    assert labels == ["Proxy User Name", "Proxy Password", "Description", "Proxy Domain", "Proxy Host Name",
                      "Proxy Port"]
    assert form.proxy_toggle.description == "Hide Proxy Options"
    assert form.forget_proxy_password.layout.display == "none", "nothing stored to remove on create"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"name": "   "}, "name", "Name is empty"),
    ({"gateway_type": None}, "gateway_type", "must be the name of a gateway type"),
    ({"user_name": ""}, "user_name", "API Key is required for Nexmo"),
    ({"sender_id": ""}, "sender_id", "required for Nexmo"),
    ({"gateway_url": "ftp://x"}, "gateway_url", "is not a web address"),
    ({"proxy_host_name": "proxy.test", "proxy_port": "70000"}, "proxy_port", "out of range (a whole number from 1 to 65535)"),
    ({"proxy_host_name": "proxy.test", "proxy_port": "eighty"}, "proxy_port", "is not a whole number"),
    ({"proxy_host_name": "proxy.test"}, "proxy_port", "required when a proxy host is set"),
])
def test_errors_appear_next_to_their_field_and_nothing_is_saved(gateways, emu, fill, changes, field, words):
    form = gateways.open_create()
    values = {**emu.account_settings("Nexmo"), **changes}
    fill(form, values.pop("name", "Primary"), values.pop("gateway_type", "Nexmo"), **values)
    form.submit_button.click()
    assert gateways.form is form, "the form must stay open"
    assert words in form.fields[field].error.value
    assert [n for n, f in form.fields.items() if f.error.value] == [field]
    assert gateways.admin.list_accounts() == []
    if field.startswith("proxy"):
        assert form.proxy_box.layout.display is None, "a proxy error must be visible"


def test_duplicate_name_is_refused_next_to_name(gateways, create_via_form, emu, fill, text_of):
    create_via_form(gateways, "Primary")
    form = gateways.open_create()
    fill(form, "  PRIMARY ", "Nexmo", **emu.account_settings("Nexmo"))
    form.submit_button.click()
    assert "already named 'PRIMARY'" in text_of(form.fields["name"].error)
    assert [a.name for a in gateways.admin.list_accounts()] == ["Primary"]


def test_a_refused_save_keeps_the_passwords_kernel_side_only(gateways, emu, fill, states_containing, form_errors):
    secret = emu.account_settings("Nexmo")["password"]
    form = gateways.open_create()
    fill(form, "", "Nexmo", **emu.account_settings("Nexmo"), proxy_password="proxy-s3cret")
    form.submit_button.click()  # refused: the name is empty
    assert "Name" in form.fields["name"].error.value
    # Kept for the next attempt, yet in no widget state a notebook could save.
    assert form.fields["password"].value == secret and form.fields["proxy_password"].value == "proxy-s3cret"
    assert states_containing(secret) == [] and states_containing("proxy-s3cret") == []
    fill(form, "Primary", "Nexmo", proxy_host_name="127.0.0.1", proxy_port="3128")
    form.submit_button.click()
    assert gateways.form is None, form_errors(form)
    assert form.fields["password"].value == "" and form.fields["proxy_password"].value == ""
    assert states_containing(secret) == []
    account = gateways.admin.get_account("Primary")
    assert account.password_set and account.proxy_password_set


def test_cancel_saves_nothing_and_clears_passwords(gateways, fill):
    form = gateways.open_create()
    fill(form, "Primary", "Nexmo", password="typed")
    form.cancel_button.click()
    assert gateways.form is None and form.fields["password"].value == ""
    assert gateways.admin.list_accounts() == []


def test_edit_prefills_keeps_password_when_empty_and_renames(gateways, create_via_form, emu):
    account = create_via_form(gateways, "Primary")
    gateways.table.go(0)
    form = gateways.open_edit(gateways.table.records()[0])
    assert form.title == "Edit SMS Gateway" and form.submit_button.description == "Save SMS Gateway"
    assert form.fields["name"].value == "Primary" and form.gateway_type.value == "Nexmo"
    assert form.fields["user_name"].value == emu.account_settings("Nexmo")["user_name"]
    assert form.fields["password"].value == "" and "keep" in form.fields["password"].input.placeholder
    form.fields["name"].input.set_state({"value": "Primary SMS"})
    form.submit_button.click()
    assert gateways.form is None and "saved" in gateways.notice.value
    saved = gateways.admin.get_account("Primary SMS")
    assert saved.id == account.id and saved.password_set
    assert gateways.admin.test_connection("Primary SMS", "447079692712").outcome == "passed"


def test_edit_with_a_new_password_replaces_it(gateways, create_via_form):
    create_via_form(gateways, "Primary")
    form = gateways.open_edit(gateways.table.records()[0])
    form.fields["password"].input.set_state({"value": "wrong-now"})
    form.submit_button.click()
    assert gateways.admin.test_connection("Primary", None).outcome == "failed"


def test_edit_refuses_a_stale_copy_at_form_level(gateways, create_via_form):
    create_via_form(gateways, "Primary")
    form = gateways.open_edit(gateways.table.records()[0])
    gateways.admin.modify_account("Primary", account_id="changed elsewhere")
    form.fields["sender_id"].input.set_state({"value": "Other"})
    form.submit_button.click()
    assert "changed by someone else" in form.message.value
    assert gateways.admin.get_account("Primary").sender_id != "Other"


def test_set_as_default_account_on_create_and_on_edit(gateways, create_via_form):
    create_via_form(gateways, "First", default=True)
    create_via_form(gateways, "Second")
    assert gateways.admin.default_account().name == "First"
    row = gateways.table.record("Second")
    form = gateways.open_edit(row)
    assert form.is_default.value is False
    form.is_default.value = True
    form.submit_button.click()
    assert gateways.admin.default_account().name == "Second"
    assert list(gateways.table.shown[gateways.table.shown["is_default"]]["name"]) == ["Second"]
    form = gateways.open_edit(gateways.table.record("Second"))
    form.is_default.value = False
    form.submit_button.click()
    assert gateways.admin.default_account() is None


def test_generic_http_options_are_saved_from_the_form(gateways, emu, fill):
    form = gateways.open_create()
    settings = emu.account_settings("Generic HTTP")
    options = settings.pop("options")
    fill(form, "Own API", "Generic HTTP", **settings)
    editor = form.options
    assert editor is not None and "method" in editor.fields
    editor.fields["params"].value = "\n".join(f"{k} = {v}" for k, v in options["params"].items())
    for key in ("success_pattern", "message_id_pattern"):
        if options.get(key):
            editor.fields[key].value = options[key]
    form.submit_button.click()
    assert gateways.form is None, form.message.value
    saved = gateways.admin.get_account("Own API")
    assert saved.options["params"] == options["params"]


def test_a_malformed_options_line_is_shown_next_to_the_options(gateways, fill, text_of):
    form = gateways.open_create()
    fill(form, "Own API", "Generic HTTP", gateway_url="http://127.0.0.1:9/send")
    form.options.fields["params"].value = "no equals sign here"
    form.submit_button.click()
    assert "has no 'name = value'" in text_of(form.options.fields["params"].error)
    assert gateways.admin.list_accounts() == []


def test_a_proxy_is_removed_on_edit_by_clearing_its_fields_and_its_stored_password(gateways, create_via_form):
    create_via_form(gateways, "Primary", proxy_host_name="proxy.test", proxy_port="3128",
                    proxy_user_name="pxuser", proxy_password="pxpass")
    form = gateways.open_edit(gateways.table.record("Primary"))
    assert form.proxy_box.layout.display is None, "proxy options open when the account has a proxy"
    assert form.fields["proxy_port"].value == "3128" and form.fields["proxy_password"].value == ""
    for name in ("proxy_host_name", "proxy_port", "proxy_user_name"):
        form.fields[name].input.set_state({"value": ""})
    form.submit_button.click()  # the stored proxy password still needs a proxy: refused by the service
    assert "required when proxy credentials are set" in form.fields["proxy_host_name"].error.value
    for name in ("proxy_host_name", "proxy_port", "proxy_user_name"):
        form.fields[name].input.set_state({"value": ""})
    form.forget_proxy_password.value = True
    form.submit_button.click()
    assert gateways.form is None, form.message.value
    saved = gateways.admin.get_account("Primary")
    assert (saved.proxy_host_name, saved.proxy_port, saved.proxy_password_set) == (None, None, False)
