import pytest

from smsgw_kit.testing import DEFAULT_CREDENTIALS
from smsgw_kit.testing.providers.bulletin import ERRORS

CREDS = DEFAULT_CREDENTIALS["Bulletin.net"]


def test_send_posts_the_documented_form_and_204_is_success(send):
    result, request = send("Bulletin.net", reference_id="ref-1", phone="+923225867987")
    assert result.success and result.message_id == "ref-1"
    assert (request.method, request.path) == ("POST", "/api/1/sms/out")
    assert request.form == {"userId": CREDS["user_name"], "password": CREDS["password"], "to": "923225867987",
                            "body": "Your code is 123456", "messageId": "ref-1", "from": CREDS["sender_id"]}


def test_message_id_is_generated_when_no_reference(send):
    result, request = send("Bulletin.net")
    assert result.message_id == request.form["messageId"] and len(result.message_id) <= 36


def test_bad_password_is_401(send):
    result, _ = send("Bulletin.net", password="nope-nope")
    assert (result.error_code, result.error) == ("401", "Bulletin.net says: Unauthorized (status 401)")


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_each_documented_status_keeps_code_and_reason(send, emu, code):
    emu.inject("Bulletin.net", error=code, count=1)
    result, _ = send("Bulletin.net")
    assert (result.success, result.error_code, result.error_text) == (False, code, ERRORS[code])


def test_credentials_checked_by_polling_the_queue(check, emu):
    assert check("Bulletin.net").passed
    request = emu.requests[-1]
    assert (request.method, request.path) == ("GET", "/api/1/sms/queue")
    assert request.query == {"userId": CREDS["user_name"], "password": CREDS["password"]}
    bad = check("Bulletin.net", password="nope-nope")
    assert (bad.outcome, bad.reason) == ("failed", "Bulletin.net says: Unauthorized (status 401)")
