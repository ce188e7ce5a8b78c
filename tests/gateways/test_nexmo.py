import pytest

from smsgw_kit.testing import DEFAULT_CREDENTIALS
from smsgw_kit.testing.providers.nexmo import ERRORS

CREDS = DEFAULT_CREDENTIALS["Nexmo"]


def test_send_posts_the_documented_form(send):
    result, request = send("Nexmo", reference_id="ticket-7")
    assert result.success and len(result.message_id) == 16
    assert (request.method, request.path) == ("POST", "/sms/json")
    assert request.header("content-type") == "application/x-www-form-urlencoded"
    assert request.form == {
        "api_key": CREDS["user_name"], "api_secret": CREDS["password"], "from": CREDS["sender_id"],
        "to": "447079692712", "text": "Your code is 123456", "type": "text", "client-ref": "ticket-7",
    }


def test_plus_form_is_sent_as_digits_and_unicode_as_type_unicode(send):
    result, request = send("Nexmo", phone="+1 858 812 3169", text="Код [Code]")
    assert result.success
    assert request.form["to"] == "18588123169"
    assert request.form["type"] == "unicode"


def test_wrong_secret_is_status_4(send):
    result, _ = send("Nexmo", password="not-the-secret")
    assert not result.success
    assert (result.error_code, result.error) == ("4", "Nexmo says: invalid credentials (status 4)")
    assert "not-the-secret" not in repr(result)


def test_missing_sender_is_refused_before_sending(send, emu):
    from smsgw_kit.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        send("Nexmo", sender_id="")
    assert caught.value.field == "sender_id" and "Sender ID" in str(caught.value)
    assert emu.requests == []


@pytest.mark.parametrize("code", sorted(set(ERRORS) - {"4"}, key=int))
def test_each_documented_error_keeps_code_and_text(send, emu, code):
    emu.inject("Nexmo", error=code, count=1)
    result, _ = send("Nexmo")
    assert not result.success
    assert result.error_code == code
    assert result.error_text == ERRORS[code]


def test_balance_check_passes_and_fails_with_provider_words(check, emu):
    ok = check("Nexmo")
    assert ok.outcome == "passed" and "10.17" in ok.reason
    request = emu.requests[-1]
    assert (request.method, request.path) == ("GET", "/account/get-balance")
    assert request.query == {"api_key": CREDS["user_name"], "api_secret": CREDS["password"]}
    bad = check("Nexmo", password="wrong-secret")
    assert bad.outcome == "failed"
    assert bad.reason == "Nexmo says: authentication failed (status 401)"


def test_added_credentials_are_accepted(check, emu):
    emu.add_credentials("Nexmo", user_name="abcd9876", password="other-secret")
    assert check("Nexmo", user_name="abcd9876", password="other-secret").passed
    assert not check("Nexmo", user_name="abcd9876", password="emusecret123").passed


def test_balance_url_follows_the_send_url():
    from smsgw_kit.gateways import GatewaySettings, NexmoGateway

    assert NexmoGateway(GatewaySettings()).balance_url == "https://rest.nexmo.com/account/get-balance"
    custom = NexmoGateway(GatewaySettings(gateway_url="https://proxy.example/vonage/sms/json"))
    assert custom.balance_url == "https://proxy.example/vonage/account/get-balance"
