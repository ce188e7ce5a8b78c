"""Clickatell's legacy HTTP API: the gateway against the archived pages' documented replies, then the emulator.

Sources (documented.CLICKATELL): https://docs.clickatell.com/archive/channels/sms-http-s-api-archived/
http-api-send-message/ and .../http-api-retrieve-account-balance/.
"""

import pytest

from smsgw_kit.gateways import ClickatellGateway, GatewaySettings, ShortMessage
from smsgw_kit.testing import DEFAULT_CREDENTIALS
from smsgw_kit.testing.documented import CLICKATELL
from smsgw_kit.testing.providers.clickatell import ERRORS

CREDS = DEFAULT_CREDENTIALS["Clickatell"]
DOC = CLICKATELL["balance_request"]


def documented_gateway(server) -> ClickatellGateway:
    return ClickatellGateway(GatewaySettings(gateway_url=server.base_url + "/http/sendmsg", account_id=DOC["api_id"],
                                             user_name=DOC["user"], password=DOC["password"]))


def message(text="Your code is [Code]"):
    return ShortMessage(message=text, access_code="123456", recipients=["447079692712"])


def test_documented_balance_reply_passes_the_credentials_stage(documented):
    documented.answer(200, CLICKATELL["balance_reply"] + "\n")
    result = documented_gateway(documented).test_credentials()
    assert (result.outcome, result.reason) == ("passed", "Clickatell accepted the credentials (123.00 credits)")
    (request,) = documented.requests
    assert (request["method"], request["path"], request["form"]) == ("POST", "/http/getbalance", DOC)


def test_documented_balance_error_fails_with_clickatells_words(documented):
    documented.answer(200, CLICKATELL["balance_error"])
    result = documented_gateway(documented).test_credentials()
    assert (result.outcome, result.reason) == ("failed", "Clickatell says: Authentication failed (status 001)")


def test_undocumented_balance_reply_is_not_taken_for_credits(documented):
    documented.answer(200, "Credit: 5")  # the earlier misreading; the pages say "Credits:"
    result = documented_gateway(documented).test_credentials()
    assert result.outcome == "failed" and "does not document" in result.reason


def test_documented_send_reply_and_error(documented):
    documented.answer(200, CLICKATELL["send_reply"].format(apimsgid="abc123"))
    documented.answer(200, "ERR: 105, Invalid destination address")
    gateway = documented_gateway(documented)
    assert gateway.send(message()).message_id == "abc123"
    failed = gateway.send(message())
    assert (failed.error_code, failed.error) == ("105", "Clickatell says: Invalid destination address (status 105)")
    assert documented.requests[0]["form"]["text"] == "Your code is 123456"
    assert "unicode" not in documented.requests[0]["form"]


def test_unicode_is_hex_ucs2_with_unicode_1(documented):
    text, hex_ucs2 = CLICKATELL["unicode_example"]
    documented.answer(200, "ID: 1")
    assert documented_gateway(documented).send(ShortMessage(message=text, recipients=["447079692712"])).success
    form = documented.requests[0]["form"]
    assert (form["unicode"], form["text"]) == ("1", hex_ucs2)
    assert bytes.fromhex(form["text"]).decode("utf-16-be") == text


def test_a_200_without_id_or_err_may_have_been_sent(documented):
    documented.answer(200, "<html>proxy error page</html>")
    result = documented_gateway(documented).send(message())
    assert not result.success and result.uncertain and "may have been sent" in result.error


def test_a_bare_401_says_what_it_means(documented):
    documented.answer(401, "")
    result = documented_gateway(documented).test_credentials()
    assert result.reason == "Clickatell answered HTTP 401 (the credentials were refused)"


# --- the emulator answers from the same documented replies -----------------------------------------


def test_send_posts_the_legacy_http_fields(send):
    result, request = send("Clickatell")
    assert result.success and len(result.message_id) == 32
    assert (request.method, request.path) == ("POST", "/http/sendmsg")
    assert request.form == {"user": CREDS["user_name"], "password": CREDS["password"],
                            "api_id": CREDS["account_id"], "to": "447079692712",
                            "text": "Your code is 123456", "from": CREDS["sender_id"]}


def test_emulator_takes_hex_ucs2_only(send, emu):
    result, request = send("Clickatell", text="Код [Code]")
    assert result.success and request.form["unicode"] == "1"
    assert bytes.fromhex(request.form["text"]).decode("utf-16-be") == "Код 123456"
    import httpx

    raw = httpx.post(emu.url_for("Clickatell", https=False), data={"user": CREDS["user_name"], "password": CREDS["password"],
                                                      "api_id": CREDS["account_id"], "to": "447079692712",
                                                      "text": "Код", "unicode": "1"})
    assert raw.text == "ERR: 101, Invalid or missing parameters"


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
    assert ok.passed and "123.00 credits" in ok.reason
    assert emu.requests[-1].path == "/http/getbalance"
    assert check("Clickatell", password="wrong-pw").reason == "Clickatell says: Authentication failed (status 001)"
