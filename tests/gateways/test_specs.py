"""The requests the Nexmo and Twilio gateways build, checked against the providers' own OpenAPI specs."""

import json
import re
from pathlib import Path

import pytest
import yaml

SPECS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "specs"
if not SPECS.is_dir():
    SPECS = Path("/work/shared/reference/specs")


def check_against_schema(fields: dict, schema: dict) -> None:
    """Every field is declared, every required one present, and lengths, patterns and enums hold."""
    props = schema["properties"]
    assert set(fields) <= set(props), f"undeclared: {set(fields) - set(props)}"
    assert set(schema.get("required", ())) <= set(fields), "a required field is missing"
    for name, value in fields.items():
        rule = props[name]
        if "minLength" in rule:
            assert len(value) >= rule["minLength"], name
        if "maxLength" in rule:
            assert len(value) <= rule["maxLength"], name
        if "pattern" in rule:
            assert re.search(rule["pattern"], value), name
        if "enum" in rule:
            assert value in rule["enum"], name


@pytest.fixture(scope="module")
def nexmo_sms():
    return yaml.safe_load((SPECS / "nexmo_sms.yml").read_text())


@pytest.fixture(scope="module")
def nexmo_account():
    return yaml.safe_load((SPECS / "nexmo_account.yml").read_text())


@pytest.fixture(scope="module")
def twilio():
    return json.loads((SPECS / "twilio_api_v2010.messaging-subset.json").read_text())


def test_nexmo_send_matches_new_message_schema(send, nexmo_sms):
    _, request = send("Nexmo", text="Код [Code]", reference_id="r" * 60)
    operation = nexmo_sms["paths"]["/{format}"]["post"]
    content = operation["requestBody"]["content"]
    assert request.header("content-type") in content
    check_against_schema(request.form, nexmo_sms["components"]["schemas"]["NewMessage"])
    server = nexmo_sms["servers"][0]["url"]
    assert request.path == "/sms/json" and server.endswith("/sms")


def test_nexmo_spec_check_can_fail(nexmo_sms):
    with pytest.raises(AssertionError):
        check_against_schema({"api_key": "abc", "to": "447079692712", "from": "x"},
                             nexmo_sms["components"]["schemas"]["NewMessage"])


def test_nexmo_balance_uses_the_declared_query_parameters(check, emu, nexmo_account):
    check("Nexmo")
    request = emu.requests[-1]
    operation = nexmo_account["paths"]["/account/get-balance"]["get"]
    declared = [nexmo_account["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                for p in operation["parameters"]]
    required = {p["name"] for p in declared if p.get("required") and p["in"] == "query"}
    assert request.path == "/account/get-balance"
    assert required <= set(request.query) <= {p["name"] for p in declared}


def test_twilio_send_matches_create_message(send, twilio):
    _, request = send("Twilio")
    path = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
    operation = twilio["paths"][path]["post"]
    sid_rule = next(p for p in operation["parameters"] if p["name"] == "AccountSid")["schema"]
    sid = request.path.split("/")[3]
    assert re.fullmatch(sid_rule["pattern"], sid) and len(sid) == sid_rule["maxLength"]
    assert request.path == path.replace("{AccountSid}", sid)
    schema = operation["requestBody"]["content"][request.header("content-type")]["schema"]
    check_against_schema(request.form, schema)
    assert re.fullmatch(r"\+[1-9]\d{6,14}", request.form["To"])  # format: phone-number, E.164
    assert twilio["components"]["securitySchemes"]["accountSid_authToken"]["scheme"] == "basic"
    assert request.basic_auth[0] == sid


def test_twilio_credentials_check_path_is_declared(check, emu, twilio):
    check("Twilio")
    sid = emu.requests[-1].path.split("/")[3].removesuffix(".json")
    assert emu.requests[-1].path == "/2010-04-01/Accounts/{Sid}.json".replace("{Sid}", sid)
    assert "get" in twilio["paths"]["/2010-04-01/Accounts/{Sid}.json"]
