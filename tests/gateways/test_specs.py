"""Every request the Nexmo and Twilio gateways build, and every reply the emulator gives them, checked by
a real OpenAPI validator (openapi-core) against the providers' own specs, kept in tests/data/specs."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import (  # openapi-core's own dependency
    Headers,
    ImmutableMultiDict,
)

from smsgw_kit.testing import DEFAULT_CREDENTIALS

SPECS = Path(__file__).resolve().parents[1] / "data" / "specs"
# The servers the specs declare (account.yml declares rest.nexmo.com on the get-balance path itself).
TWILIO_HOST, NEXMO_SMS_HOST, NEXMO_API_HOST = "https://api.twilio.com", "https://rest.nexmo.com", "https://rest.nexmo.com"


@dataclass
class SpecRequest:
    """A request as openapi-core reads it, built from what the emulator received over the wire."""

    host_url: str
    path: str
    method: str
    content_type: str
    body: bytes | None
    parameters: RequestParameters = field(default_factory=RequestParameters)


@dataclass
class SpecResponse:
    status_code: int
    content_type: str
    data: bytes
    headers: Headers = field(default_factory=Headers)


def as_spec_request(recorded, host: str) -> SpecRequest:
    headers = Headers(list(recorded.headers.items()))
    return SpecRequest(
        host_url=host, path=recorded.path, method=recorded.method.lower(),
        content_type=(recorded.header("content-type") or "").lower(), body=recorded.body or None,
        parameters=RequestParameters(query=ImmutableMultiDict(list(recorded.query.items())), header=headers),
    )


def as_spec_response(response) -> SpecResponse:
    return SpecResponse(status_code=response.status_code, content_type=response.headers["content-type"].lower(),
                        data=response.content, headers=Headers(list(response.headers.items())))


@pytest.fixture(scope="module")
def twilio_spec() -> OpenAPI:
    return OpenAPI.from_dict(json.loads((SPECS / "twilio_api_v2010.messaging-subset.json").read_text()))


def nexmo_sms_dict() -> dict:
    return yaml.safe_load((SPECS / "nexmo_sms.yml").read_text())


@pytest.fixture(scope="module")
def nexmo_sms_spec() -> OpenAPI:
    return OpenAPI.from_dict(nexmo_sms_dict())


def nexmo_sms_reply_spec(branch: str) -> OpenAPI:
    """sms.yml with its 200 reply narrowed to one branch of its oneOf (SMS or Error): neither branch
    requires a field, so every object matches both and the oneOf as published can never pass."""
    spec = nexmo_sms_dict()
    content = spec["paths"]["/{format}"]["post"]["responses"]["200"]["content"]["application/json"]
    assert [s["$ref"].rsplit("/", 1)[1] for s in content["schema"]["oneOf"]] == ["SMS", "Error"]
    content["schema"] = {"$ref": f"#/components/schemas/{branch}"}
    return OpenAPI.from_dict(spec)


@pytest.fixture(scope="module")
def nexmo_account_spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPECS / "nexmo_account.yml"))


SENDERS = {"numeric": "+15005550006", "alphanumeric": "ACME", "service": "MG" + "0123456789abcdef" * 2}
TEXTS = {"gsm7": "Your code is [Code]", "unicode": "Ваш код [Code] 🙂"}


@pytest.mark.parametrize("sender", sorted(SENDERS))
@pytest.mark.parametrize("text", sorted(TEXTS))
def test_twilio_send_validates_against_create_message(send, twilio_spec, sender, text):
    result, recorded = send("Twilio", text=TEXTS[text], sender_id=SENDERS[sender])
    assert result.success, result.error
    request = as_spec_request(recorded, TWILIO_HOST)
    twilio_spec.validate_request(request)
    assert recorded.form.get("MessagingServiceSid" if sender == "service" else "From") == SENDERS[sender]


def test_twilio_credentials_check_validates_against_fetch_account(check, emu, twilio_spec):
    assert check("Twilio").passed
    request = as_spec_request(emu.requests[-1], TWILIO_HOST)
    twilio_spec.validate_request(request)


def test_twilio_validator_refuses_what_the_spec_forbids(send, twilio_spec):
    _, recorded = send("Twilio")
    # An Account SID outside the spec's pattern (the format check keeps the gateway from ever sending one).
    bad = as_spec_request(recorded, TWILIO_HOST)
    bad.path = bad.path.replace("/Accounts/AC", "/Accounts/XX")
    with pytest.raises(Exception, match="Invalid path parameter: AccountSid"):
        twilio_spec.validate_request(bad)
    unauthenticated = as_spec_request(recorded, TWILIO_HOST)
    unauthenticated.parameters = RequestParameters(query=ImmutableMultiDict(), header=Headers())
    with pytest.raises(Exception, match="Security not found"):
        twilio_spec.validate_request(unauthenticated)


@pytest.mark.parametrize("sender", ["447700900000", "ACME"])
@pytest.mark.parametrize("text", sorted(TEXTS))
def test_nexmo_send_validates_against_new_message(send, nexmo_sms_spec, sender, text):
    result, recorded = send("Nexmo", text=TEXTS[text], sender_id=sender, reference_id="r" * 60)
    assert result.success, result.error
    nexmo_sms_spec.validate_request(as_spec_request(recorded, NEXMO_SMS_HOST))
    assert recorded.form["type"] == ("unicode" if text == "unicode" else "text")


def test_nexmo_balance_check_validates_against_get_balance(check, emu, nexmo_account_spec):
    assert check("Nexmo").passed
    nexmo_account_spec.validate_request(as_spec_request(emu.requests[-1], NEXMO_API_HOST))


def test_nexmo_validator_refuses_a_nine_character_key(emu, nexmo_sms_spec):
    import httpx

    creds = DEFAULT_CREDENTIALS["Nexmo"]
    httpx.post(emu.url_for("Nexmo", https=False), data={
        "api_key": creds["user_name"] + "X", "api_secret": creds["password"], "from": "ACME",
        "to": "447079692712", "text": "hi"})
    with pytest.raises(Exception, match="'emu12345X' is too long"):
        nexmo_sms_spec.validate_request(as_spec_request(emu.requests[-1], NEXMO_SMS_HOST))


# --- the emulator's replies against the same specs' response schemas ---------------------------------


def _twilio_auth(password=None):
    creds = DEFAULT_CREDENTIALS["Twilio"]
    token = f"{creds['account_id']}:{password or creds['password']}".encode()
    return creds["account_id"], {"Authorization": "Basic " + base64.b64encode(token).decode()}


def test_emulated_twilio_replies_validate(emu, twilio_spec):
    # The spec declares only the success replies (no 4xx schema), so those are what can be validated.
    import httpx

    sid, headers = _twilio_auth()
    base = emu.base_url + "/2010-04-01/Accounts/" + sid
    calls = [("GET", base + ".json", None), ("GET", base + "/Balance.json", None),
             ("POST", base + "/Messages.json", {"To": "+447079692712", "From": "+15005550006", "Body": "Код 1"})]
    for method, url, data in calls:
        response = httpx.request(method, url, data=data, headers=headers)
        assert response.status_code == (201 if data else 200)
        twilio_spec.validate_response(as_spec_request(emu.requests[-1], TWILIO_HOST), as_spec_response(response))


def test_twilio_reply_validation_can_fail(emu, twilio_spec):
    import httpx

    sid, headers = _twilio_auth()
    response = httpx.get(emu.base_url + f"/2010-04-01/Accounts/{sid}.json", headers=headers)
    broken = as_spec_response(response)
    broken.data = json.dumps({**response.json(), "status": "sleeping"}).encode()  # not in the status enum
    with pytest.raises(Exception, match="'sleeping' is not one of"):
        twilio_spec.validate_response(as_spec_request(emu.requests[-1], TWILIO_HOST), broken)


@pytest.mark.parametrize(("error", "branch"), [(None, "SMS"), ("6", "Error"), ("4", "Error")])
def test_emulated_nexmo_send_replies_validate(emu, send, error, branch):
    import httpx

    _, recorded = send("Nexmo", text="Ваш код [Code]")
    if error:
        emu.inject("Nexmo", error=error, count=1)
    response = httpx.post(emu.url_for("Nexmo", https=False), content=recorded.body,
                          headers={"Content-Type": recorded.header("content-type")})
    assert response.json()["messages"][0]["status"] == (error or "0")
    nexmo_sms_reply_spec(branch).validate_response(as_spec_request(recorded, NEXMO_SMS_HOST),
                                                   as_spec_response(response))


def test_nexmo_reply_validation_can_fail(emu, send):
    _, recorded = send("Nexmo")
    reply = {"message-count": "1", "messages": [{"status": 0, "message-id": 17}]}  # numbers where strings go
    broken = SpecResponse(status_code=200, content_type="application/json", data=json.dumps(reply).encode())
    with pytest.raises(Exception, match="is not of type 'string'"):
        nexmo_sms_reply_spec("SMS").validate_response(as_spec_request(recorded, NEXMO_SMS_HOST), broken)


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_emulated_nexmo_balance_replies_validate(emu, nexmo_account_spec, secret):
    import httpx

    creds = DEFAULT_CREDENTIALS["Nexmo"]
    params = {"api_key": creds["user_name"], "api_secret": secret or creds["password"]}
    response = httpx.get(emu.base_url + "/account/get-balance", params=params)
    assert response.status_code == (401 if secret else 200)
    nexmo_account_spec.validate_response(as_spec_request(emu.requests[-1], NEXMO_API_HOST),
                                         as_spec_response(response))
