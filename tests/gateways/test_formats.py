"""Formats the providers fix are refused before any traffic, as InvalidInput naming the field:
in the gateway, in the API (create, modify), and in the Create SMS Gateway form."""

import pytest

from smsgw_kit.errors import InvalidInput
from smsgw_kit.gateways import (
    NexmoGateway,
    ShortMessage,
    TwilioGateway,
    get_gateway_type,
)
from smsgw_kit.ui import AccountForm

MESSAGE = ShortMessage(message="Code [Code]", access_code="1", recipients="447079692712")
BAD = [
    ("Twilio", "account_id", "XX0123456789abcdef0123456789abcdef", "AC followed by 32 hexadecimal"),
    ("Twilio", "account_id", "AC0123456789abcdef0123456789abcde", "AC followed by 32 hexadecimal"),  # 31 hex
    ("Twilio", "account_id", "AC0123456789abcdef0123456789abcdeg", "AC followed by 32 hexadecimal"),
    ("Nexmo", "user_name", "emu123456", "at most 8 characters"),  # 9: the spec's maxLength is 8
]


@pytest.mark.parametrize(("provider", "field", "value", "allowed"), BAD)
def test_gateway_refuses_before_any_traffic(emu, provider, field, value, allowed):
    gateway = get_gateway_type(provider)(emu.gateway_settings(provider, **{field: value}))
    for call in (gateway.test_credentials, gateway.test_connection, lambda: gateway.send(MESSAGE)):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert caught.value.field == field and allowed in caught.value.allowed
    assert emu.requests == []


def test_the_specs_own_examples_pass():
    # Examples from the specs themselves (tests/data/specs): Nexmo's api_key "abcd1234", Twilio's SID pattern.
    NexmoGateway(_settings(user_name="abcd1234", password="abcdef0123456789")).check_settings()
    TwilioGateway(_settings(account_id="AC" + "0123456789ABCDEF" * 2, password="t")).check_settings()


def _settings(**fields):
    from smsgw_kit.gateways import GatewaySettings

    return GatewaySettings(gateway_url="https://example.test/sms/json", sender_id="ACME", **fields)


@pytest.mark.parametrize(("provider", "field", "value", "allowed"), BAD)
def test_api_refuses_create_and_modify_naming_the_field(sqlite_admin, emu, provider, field, value, allowed):
    fields = {k: v for k, v in emu.account_settings(provider).items() if v is not None}
    with pytest.raises(InvalidInput) as caught:
        sqlite_admin.create_account(name="Bad", gateway_type=provider, **{**fields, field: value})
    assert caught.value.field == field and allowed in str(caught.value)
    assert len(sqlite_admin.list_accounts()) == 0
    sqlite_admin.create_account(name="Good", gateway_type=provider, **fields)
    with pytest.raises(InvalidInput) as caught:
        sqlite_admin.modify_account("Good", **{field: value})
    assert caught.value.field == field
    # A kept (encrypted) secret is not mistaken for a bad value when another field changes.
    sqlite_admin.modify_account("Good", sender_id="ACME2")


def test_form_shows_the_error_next_to_the_field(sqlite_admin, emu):
    form = AccountForm(sqlite_admin)
    try:
        form.fields["name"].input.value = "Twilio main"
        form.gateway_type.input.value = "Twilio"
        for key, value in emu.account_settings("Twilio").items():
            if value is not None and key in form.fields:
                form.fields[key].input.value = str(value)
        form.fields["account_id"].input.value = "AC123"
        assert form.submit() is None
        assert "AC followed by 32 hexadecimal characters" in form.fields["account_id"].error.value
        assert emu.requests == []
    finally:
        form.close()


@pytest.mark.parametrize(("host", "domain", "port", "shown"), [
    ("proxy", "corp.example", "8080", "Proxy address: proxy.corp.example:8080"),
    ("", "corp.example", "3128", "Proxy address: corp.example:3128"),
    ("proxy.other.example", "corp.example", "", "Proxy address: proxy.other.example (no port yet)"),
    ("", "", "", "No proxy: connecting directly."),
])
def test_form_shows_the_resolved_proxy_address_as_the_operator_types(sqlite_admin, host, domain, port, shown):
    form = AccountForm(sqlite_admin)
    try:
        assert "No proxy" in form.proxy_address.value
        form.fields["proxy_host_name"].input.value = host
        form.fields["proxy_domain"].input.value = domain
        form.fields["proxy_port"].input.value = port
        assert shown in form.proxy_address.value
        form.toggle_proxy()
        assert form.proxy_address.layout.display is None and form.proxy_address in form.root.children
    finally:
        form.close()
