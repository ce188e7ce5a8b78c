import pytest

from smsgw_kit.testing import DEFAULT_CREDENTIALS
from smsgw_kit.testing.providers.clickatell import ERRORS

CREDS = DEFAULT_CREDENTIALS["Clickatell"]


def test_send_posts_the_legacy_http_fields(send):
    result, request = send("Clickatell")
    assert result.success and len(result.message_id) == 32
    assert (request.method, request.path) == ("POST", "/http/sendmsg")
    assert request.form == {"user": CREDS["user_name"], "password": CREDS["password"],
                            "api_id": CREDS["account_id"], "to": "447079692712",
                            "text": "Your code is 123456", "from": CREDS["sender_id"]}


def test_unicode_flag(send):
    _, request = send("Clickatell", text="Код [Code]")
    assert request.form["unicode"] == "1"


def test_bad_password_and_bad_api_id(send):
    result, _ = send("Clickatell", password="wrong-pw")
    assert result.error == "Clickatell says: Authentication failed (status 001)"
    result, _ = send("Clickatell", account_id="1")
    assert result.error_code == "108"


@pytest.mark.parametrize("code", sorted(set(ERRORS) - {"001", "108"}))
def test_each_documented_error(send, emu, code):
    emu.inject("Clickatell", error=code, count=1)
    result, _ = send("Clickatell")
    assert (result.success, result.error_code, result.error_text) == (False, code, ERRORS[code])


def test_balance_check(check, emu):
    ok = check("Clickatell")
    assert ok.passed and "12.6" in ok.reason
    assert emu.requests[-1].path == "/http/getbalance"
    assert check("Clickatell", password="wrong-pw").reason == "Clickatell says: Authentication failed (status 001)"
