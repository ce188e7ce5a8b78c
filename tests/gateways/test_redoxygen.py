import pytest

from smsgw_kit.testing import DEFAULT_CREDENTIALS
from smsgw_kit.testing.providers.redoxygen import ERRORS

CREDS = DEFAULT_CREDENTIALS["RedOxygen"]


def test_send_posts_the_documented_fields(send):
    result, request = send("RedOxygen", phone="18588123169")
    assert result.success and result.message_id is None
    assert (request.method, request.path, request.query) == ("POST", "/sms.dll", {"Action": "SendSMS"})
    assert request.form == {"AccountId": CREDS["account_id"], "Email": CREDS["user_name"],
                            "Password": CREDS["password"], "Recipient": "18588123169",
                            "Message": "Your code is 123456"}


def test_wrong_account_is_the_replys_code_and_text(send):
    result, _ = send("RedOxygen", account_id="CI99999999")
    assert (result.error_code, result.error) == ("1001", "RedOxygen says: Authentication failed (status 1001)")


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_error_codes_keep_code_and_text(send, emu, code):
    emu.inject("RedOxygen", error=code, count=1)
    result, _ = send("RedOxygen")
    assert (result.success, result.error_code, result.error_text) == (False, code, ERRORS[code])


def test_credentials_check_is_unsupported_not_false(check, emu):
    result = check("RedOxygen")
    assert result.outcome == "unsupported" and "without sending" in result.reason
    assert emu.requests == []
