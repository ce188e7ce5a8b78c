import json

import pytest

from smsgw_kit.errors import InvalidInput
from smsgw_kit.gateways import GenericHttpGateway, ShortMessage


def options(emu, **changes):
    return {**emu.account_settings("generic")["options"], **changes}


def test_form_post_with_header_placeholders_and_id_pattern(send):
    result, request = send("Generic HTTP")
    assert result.success and len(result.message_id) == 32
    assert (request.method, request.path) == ("POST", "/generic/send")
    assert request.header("authorization") == "Bearer emu-token"
    assert request.form == {"to": "447079692712", "text": "Your code is 123456", "from": ""}


def test_json_body_and_e164(send, emu):
    result, request = send("generic", options=options(emu, body_format="json", phone_format="e164"))
    assert result.success
    assert request.header("content-type") == "application/json"
    assert json.loads(request.body) == {"to": "+447079692712", "text": "Your code is 123456", "from": ""}


def test_get_with_query_and_url_placeholders(send, emu):
    url = emu.url_for("generic", https=False) + "?dest={phone}&msg={message}"
    result, request = send("generic", gateway_url=url, options=options(emu, method="GET"))
    assert result.success
    assert request.method == "GET"
    assert request.query == {"dest": "447079692712", "msg": "Your code is 123456",
                             "to": "447079692712", "text": "Your code is 123456", "from": ""}


def test_success_by_status_only(send, emu):
    result, _ = send("generic", options=options(emu, success_pattern="", message_id_pattern=""))
    assert result.success and result.message_id is None


def test_status_failure_shows_the_reply(send):
    result, _ = send("generic", password="wrong")
    assert not result.success
    assert result.error == ("Generic HTTP refused the message (HTTP 401, the credentials were refused: "
                            "ERROR invalid token)")


def test_a_2xx_without_the_success_pattern_may_have_been_sent(send, emu):
    result, _ = send("generic", options=options(emu, success_pattern="^QUEUED"))
    assert not result.success and result.uncertain
    assert "without the success pattern" in result.error and "may have been sent" in result.error


def test_a_malformed_200_is_not_success(send, emu):
    emu.inject("generic", malformed=True, count=1)
    result, _ = send("generic")
    assert not result.success and result.uncertain and "may have been sent" in result.error
    emu.inject("generic", malformed=True, count=1)  # a garbled JSON body, even with no pattern configured
    result, _ = send("generic", options=options(emu, success_pattern="", message_id_pattern=""))
    assert not result.success and result.uncertain


def test_injected_provider_error(send, emu):
    emu.inject("generic", error="402", count=1)
    result, _ = send("generic")
    assert "HTTP 402, the request was refused: ERROR no credit" in result.error


@pytest.mark.parametrize("changes, field", [
    ({"method": "PUT"}, "options.method"),
    ({"body_format": "xml"}, "options.body_format"),
    ({"success_pattern": "("}, "options.success_pattern"),
    ({"success_status": "two hundred"}, "options.success_status"),
    ({"params": {"to": "{mobile}"}}, "options.params"),
    ({"headers": ["x"]}, "options.headers"),
])
def test_bad_options_are_refused_naming_the_option(emu, changes, field):
    settings = emu.gateway_settings("generic", options=options(emu, **changes))
    with pytest.raises(InvalidInput) as caught:
        GenericHttpGateway(settings).send(ShortMessage(message="hi", recipients="447079692712"))
    assert caught.value.field == field
    assert emu.requests == []


def test_credentials_url_or_unsupported(check, emu):
    assert check("generic").passed
    assert check("generic", password="wrong").outcome == "failed"
    no_url = check("generic", options=options(emu, credentials_url=""))
    assert no_url.outcome == "unsupported" and "credentials_url" in no_url.reason


def test_options_are_declared_through_option_specs():
    names = [o.name for o in GenericHttpGateway.info.options]
    assert {"method", "body_format", "params", "headers", "success_status", "success_pattern"} <= set(names)
    assert GenericHttpGateway.info.required_fields == ("gateway_url",)
