"""Bulletin Messenger API: the gateway against the developer guide's documented examples, then the emulator.

Sources (documented.BULLETIN): https://docs.bulletin.net/subjects/api-sending/ and
https://docs.bulletin.net/subjects/api-message-rss/.
"""

import base64

import pytest

from smsgw_kit.errors import InvalidInput
from smsgw_kit.gateways import BulletinGateway, GatewaySettings, ShortMessage
from smsgw_kit.testing import DEFAULT_CREDENTIALS
from smsgw_kit.testing.documented import BULLETIN
from smsgw_kit.testing.providers.bulletin import ERRORS

CREDS = DEFAULT_CREDENTIALS["Bulletin.net"]
DOC = BULLETIN["send_request"]


def documented_gateway(server, **changes) -> BulletinGateway:
    settings = GatewaySettings(gateway_url=server.base_url + "/api/3/sms/out", user_name=DOC["userId"],
                               password=DOC["password"])
    return BulletinGateway(settings.replace(**changes))


def test_default_url_is_the_guides_api_3_address():
    assert BulletinGateway.info.default_url == BULLETIN["send_url"]
    assert f"/api/{BULLETIN['from_min_version']}/" in BulletinGateway.info.default_url


def test_documented_example_request_and_204(documented):
    documented.answer(BULLETIN["send_success_status"])
    message = ShortMessage(message=DOC["body"], recipients=["+" + DOC["to"]], reference_id="ref-1")
    result = documented_gateway(documented).send(message)
    assert result.success and result.message_id == "ref-1"
    (request,) = documented.requests
    assert (request["method"], request["path"]) == ("POST", "/api/3/sms/out")
    assert request["form"] == {**DOC, "messageId": "ref-1"}


def test_text_outside_gsm_goes_with_the_documented_utf16_content_type(documented):
    documented.answer(204)
    documented_gateway(documented).send(ShortMessage(message="Код [Code]", access_code="1", recipients=["64222222221"]))
    form = documented.requests[0]["form"]
    assert (form["body"], form["contentType"]) == ("Код 1", BULLETIN["utf16_content_type"])


def test_from_needs_api_version_3(documented):
    gateway = documented_gateway(documented, gateway_url=documented.base_url + "/api/1/sms/out", sender_id="ACME")
    with pytest.raises(InvalidInput) as caught:
        gateway.send(ShortMessage(message="hi", recipients=["64222222221"]))
    assert caught.value.field == "sender_id" and "/api/3/" in caught.value.allowed
    assert documented.requests == []


def test_credentials_checked_on_the_documented_recent_messages_feed(documented):
    documented.answer(200, BULLETIN["list_reply"], Content_Type="application/atom+xml")
    documented.answer(401, "<html><body><h1>Unauthorized</h1></body></html>")
    gateway = documented_gateway(documented)
    assert gateway.test_credentials().passed
    refused = gateway.test_credentials()
    assert (refused.outcome, refused.reason) == ("failed", "Bulletin.net says: Unauthorized (status 401)")
    request = documented.requests[0]
    assert (request["method"], request["path"]) == ("GET", BULLETIN["list_path"])
    assert set(request["query"]) <= set(BULLETIN["list_params"]) and "password" not in request["query"]
    expected = base64.b64encode(f"{DOC['userId']}:{DOC['password']}".encode()).decode()
    assert request["headers"]["Authorization"] == f"Basic {expected}"


def test_a_200_with_a_body_to_a_send_is_not_success(documented):
    documented.answer(200, '{"messages": [<html>glitch')
    result = documented_gateway(documented).send(ShortMessage(message="hi", recipients=["64222222221"]))
    assert not result.success and result.uncertain and "may have been sent" in result.error


@pytest.mark.parametrize(("status", "said"), [
    (404, "Bulletin.net answered HTTP 404 (nothing at that address: check the gateway URL and the account ID)"),
    (429, "Bulletin.net answered HTTP 429 (rate limited: too many requests, try again later)"),
    (502, "Bulletin.net answered HTTP 502 (a failure at the provider (or a gateway in front of it))"),
])
def test_statuses_without_bulletins_words_are_explained(documented, status, said):
    documented.answer(status)
    result = documented_gateway(documented).send(ShortMessage(message="hi", recipients=["64222222221"]))
    assert (result.success, result.error) == (False, said)


# --- the emulator answers from the same documented rules --------------------------------------------


def test_send_posts_the_documented_form_and_204_is_success(send):
    result, request = send("Bulletin.net", reference_id="ref-1", phone="+923225867987")
    assert result.success and result.message_id == "ref-1"
    assert (request.method, request.path) == ("POST", "/api/3/sms/out")
    assert request.form == {"userId": CREDS["user_name"], "password": CREDS["password"], "to": "923225867987",
                            "body": "Your code is 123456", "messageId": "ref-1", "from": CREDS["sender_id"]}


def test_emulator_refuses_from_on_api_1_and_unicode_without_content_type(emu):
    import httpx

    base = emu.base_url
    fields = {"userId": CREDS["user_name"], "password": CREDS["password"], "to": "64222222221"}
    assert httpx.post(base + "/api/1/sms/out", data={**fields, "body": "hi", "from": "X"}).status_code == 400
    assert httpx.post(base + "/api/3/sms/out", data={**fields, "body": "Код"}).status_code == 400
    ok = httpx.post(base + "/api/3/sms/out", data={**fields, "body": "Код", "contentType": BULLETIN["utf16_content_type"]})
    assert ok.status_code == 204


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


def test_emulator_credentials_check(check, emu):
    assert check("Bulletin.net").passed
    request = emu.requests[-1]
    assert (request.method, request.path) == ("GET", "/api/2/sms/list")
    assert request.basic_auth == (CREDS["user_name"], CREDS["password"])
    bad = check("Bulletin.net", password="nope-nope")
    assert (bad.outcome, bad.reason) == ("failed", "Bulletin.net says: Unauthorized (status 401)")
