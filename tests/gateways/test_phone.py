import pytest

from smsgw_kit.errors import InvalidInput
from smsgw_kit.phone import parse_phone


@pytest.mark.parametrize("typed, e164", [
    ("18588123169", "+18588123169"),
    ("447079692712", "+447079692712"),
    ("923225867987", "+923225867987"),
    ("+44 7079 692712", "+447079692712"),
    ("0044-7079-692712", "+447079692712"),
    ("+1 (858) 812-3169", "+18588123169"),
])
def test_seed_and_plus_forms_are_accepted(typed, e164):
    number = parse_phone(typed)
    assert number.e164 == e164
    assert number.digits == e164[1:]
    assert number.formatted("e164") == e164
    assert number.formatted("digits") == e164[1:]


@pytest.mark.parametrize("typed, words", [
    ("", "required"),
    ("abc", "only digits"),
    ("123", "too short"),
    ("447700900000", "not a valid phone number"),
    ("99912345678", "not a phone number"),
])
def test_invalid_numbers_are_refused_naming_the_field(typed, words):
    with pytest.raises(InvalidInput) as caught:
        parse_phone(typed)
    assert caught.value.field == "phone"
    assert words in str(caught.value)
    assert "international" in caught.value.allowed


def test_field_name_can_be_chosen():
    with pytest.raises(InvalidInput) as caught:
        parse_phone("12", field="recipients")
    assert caught.value.field == "recipients"


def test_unknown_format_is_refused():
    with pytest.raises(InvalidInput, match="phone_format"):
        parse_phone("447079692712").formatted("national")


def test_a_remembered_number_is_the_same_and_refusals_name_each_callers_field():
    from smsgw_kit.phone import parse_phone

    assert parse_phone("447079692712") is parse_phone("+44 7079 692712")
    for field in ("phone", "recipients"):
        with pytest.raises(InvalidInput) as caught:
            parse_phone("441234", field=field)
        assert caught.value.field == field and "'441234'" in str(caught.value)
