"""RedOxygen: the gateway against the HTTP API page's documented example, then the emulator.

Source (documented.REDOXYGEN): https://www.redoxygen.com/support/wiki/red_api/http
"""

from urllib.parse import urlsplit

import pytest

from smsgw_kit.gateways import GatewaySettings, RedOxygenGateway, ShortMessage
from smsgw_kit.testing import DEFAULT_CREDENTIALS
from smsgw_kit.testing.documented import REDOXYGEN
from smsgw_kit.testing.providers.redoxygen import ERRORS

CREDS = DEFAULT_CREDENTIALS["RedOxygen"]
DOC = REDOXYGEN["send_request"]


def documented_gateway(server) -> RedOxygenGateway:
    return RedOxygenGateway(GatewaySettings(gateway_url=server.base_url + REDOXYGEN["send_path"],
                                            account_id=DOC["AccountId"], user_name=DOC["Email"],
                                            password=DOC["Password"]))


def documented_message() -> ShortMessage:
    return ShortMessage(message=DOC["Message"], recipients=["+" + DOC["Recipient"]])


def test_default_url_is_the_documented_https_server():
    url = urlsplit(RedOxygenGateway.info.default_url)
    assert f"{url.scheme}://{url.netloc}" == REDOXYGEN["server"] and url.scheme == "https"


def test_documented_example_request_and_success_code(documented):
    documented.answer(200, REDOXYGEN["success_code"])
    result = documented_gateway(documented).send(documented_message())
    assert result.success and result.message_id is None
    (request,) = documented.requests
    assert (request["method"], request["path"], request["query"]) == ("POST", "/sms.dll", {"Action": "SendSMS"})
    assert request["form"] == DOC


def test_another_code_is_an_error_with_its_text(documented):
    documented.answer(200, "1001 Authentication failed")
    result = documented_gateway(documented).send(documented_message())
    assert (result.error_code, result.error) == ("1001", "RedOxygen says: Authentication failed (status 1001)")


def test_a_200_without_a_code_may_have_been_sent(documented):
    documented.answer(200, "<html>maintenance</html>")
    result = documented_gateway(documented).send(documented_message())
    assert not result.success and result.uncertain and "may have been sent" in result.error


def test_a_bare_403_says_what_it_means(documented):
    documented.answer(403, "")
    result = documented_gateway(documented).send(documented_message())
    assert result.error == "RedOxygen answered HTTP 403 (the credentials were refused)" and not result.uncertain


# --- the emulator -----------------------------------------------------------------------------------


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
