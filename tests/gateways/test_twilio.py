import base64

import pytest

from smsgw_kit.testing import DEFAULT_CREDENTIALS
from smsgw_kit.testing.providers.twilio import ERRORS

CREDS = DEFAULT_CREDENTIALS["Twilio"]
SID = CREDS["account_id"]


def test_send_posts_form_with_basic_auth_and_e164(send):
    result, request = send("Twilio")
    assert result.success and result.message_id.startswith("SM") and len(result.message_id) == 34
    assert (request.method, request.path) == ("POST", f"/2010-04-01/Accounts/{SID}/Messages.json")
    assert request.basic_auth == (SID, CREDS["password"])
    token = base64.b64encode(f"{SID}:{CREDS['password']}".encode()).decode()
    assert request.header("authorization") == f"Basic {token}"
    assert request.form == {"To": "+447079692712", "From": CREDS["sender_id"], "Body": "Your code is 123456"}


def test_messaging_service_sid_is_sent_as_such(send):
    service = "MG" + "ab" * 16
    result, request = send("Twilio", sender_id=service)
    assert result.success
    assert request.form["MessagingServiceSid"] == service and "From" not in request.form


def test_wrong_token_is_20003(send):
    result, _ = send("Twilio", password="wrong-token")
    assert (result.success, result.error_code) == (False, "20003")
    assert result.error == "Twilio says: Authenticate (status 20003)"


@pytest.mark.parametrize("code", sorted(set(ERRORS) - {"20003"}))
def test_each_documented_error_keeps_code_and_text(send, emu, code):
    emu.inject("Twilio", error=code, count=1)
    result, _ = send("Twilio")
    assert (result.success, result.error_code, result.error_text) == (False, code, ERRORS[code][1])


def test_credentials_checked_on_the_account_resource(check, emu):
    assert check("Twilio").outcome == "passed"
    request = emu.requests[-1]
    assert (request.method, request.path) == ("GET", f"/2010-04-01/Accounts/{SID}.json")
    assert request.basic_auth == (SID, CREDS["password"])
    bad = check("Twilio", password="wrong-token")
    assert (bad.outcome, bad.reason) == ("failed", "Twilio says: Authenticate (status 20003)")
