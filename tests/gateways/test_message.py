import pytest

from smsgw_kit.errors import InvalidInput
from smsgw_kit.gateways import CheckResult, SendResult, ShortMessage


def test_code_replaces_placeholder_or_is_appended():
    assert ShortMessage(message="Code: [Code].", access_code="42", recipients="1").body == "Code: 42."
    assert ShortMessage(message="Your code is", access_code="42", recipients="1").body == "Your code is 42"


def test_single_recipient_string_becomes_a_tuple():
    assert ShortMessage(message="x", recipients="447079692712").recipients == ("447079692712",)


def test_validate_returns_parsed_recipients():
    phones = ShortMessage(message="hi", recipients=["447079692712", "+18588123169"]).validate()
    assert [p.e164 for p in phones] == ["+447079692712", "+18588123169"]


@pytest.mark.parametrize("kwargs, field", [
    ({"message": "  ", "recipients": ["447079692712"]}, "message"),
    ({"message": "x" * 161, "recipients": ["447079692712"]}, "message"),
    ({"message": "hi", "recipients": []}, "recipients"),
    ({"message": "hi", "recipients": ["447079692712", "12"]}, "recipients"),
])
def test_validate_names_the_bad_field(kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        ShortMessage(**kwargs).validate()
    assert caught.value.field == field


def test_max_length_is_configurable():
    ShortMessage(message="x" * 300, recipients=["447079692712"], max_length=400).validate()


def test_segments_and_encoding_of_the_body():
    sms = ShortMessage(message="Ваш код [Code]", access_code="1234", recipients="1").sms
    assert (sms.encoding, sms.segments) == ("UCS-2", 1)


def test_send_result_error_in_operator_words():
    result = SendResult(success=False, provider="Nexmo", error_code="4", error_text="invalid credentials")
    assert result.error == "Nexmo says: invalid credentials (status 4)"
    assert SendResult(success=True, provider="Nexmo", message_id="x").error is None


def test_check_result_outcomes_are_checked():
    assert CheckResult.unsupported("no way").outcome == "unsupported"
    assert not CheckResult.fail("bad").passed
    with pytest.raises(InvalidInput):
        CheckResult(outcome="maybe")
