"""Phone numbers: parse what an operator types, refuse invalid ones, and give each provider its form."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers

from .errors import InvalidInput

# The seed's form, as the Test SMS Gateway Connection dialog asks for it (a "+" or spaces are tolerated).
ALLOWED = "international format with the country code, digits only, no spaces, e.g. 447079692712"
_SEPARATORS = re.compile(r"[\s\-().]")


@dataclass(frozen=True)
class PhoneNumber:
    """A valid international phone number in the forms providers ask for."""

    e164: str

    @property
    def digits(self) -> str:
        """International form without `+` (the seed's form; Nexmo, Bulletin, RedOxygen, Clickatell)."""
        return self.e164[1:]

    def formatted(self, style: str) -> str:
        """The number as `style` says: "digits" (447079692712) or "e164" (+447079692712)."""
        if style == "e164":
            return self.e164
        if style == "digits":
            return self.digits
        raise InvalidInput("phone_format", f"unknown phone format {style!r}", allowed="digits or e164")

    def __str__(self) -> str:
        return self.e164


def parse_phone(value: object, *, field: str = "phone") -> PhoneNumber:
    """Parse `value` (digits-only international, `+`-prefixed or `00`-prefixed) or raise InvalidInput."""
    return parse_with_country(value, field=field)[0]


def parse_with_country(value: object, *, field: str = "phone") -> tuple[PhoneNumber, int, str]:
    """`parse_phone`, and the number's calling code and region (e.g. 1, 'CA'), from one parse."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "a phone number is required", allowed=ALLOWED)
    raw = _SEPARATORS.sub("", value.strip())
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    elif not raw.startswith("+"):
        raw = "+" + raw
    if not raw[1:].isdigit():
        raise InvalidInput(field, f"{value!r} is not a phone number: only digits and a leading + are allowed",
                           allowed=ALLOWED)
    try:
        return _valid(raw)
    except _Invalid as exc:
        raise InvalidInput(field, f"{value!r} is not {exc}", allowed=ALLOWED) from None


class _Invalid(ValueError):
    """Why a normalised number is refused (the caller names the field and the value)."""


@functools.lru_cache(maxsize=4096)
def _valid(raw: str) -> tuple[PhoneNumber, int, str]:
    # Parsing costs ~0.1 ms and a batch parses the same few numbers again and again; failures are not cached.
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as exc:
        raise _Invalid(f"a phone number ({exc._msg})") from None
    region = phonenumbers.region_code_for_number(number)
    if region is None or not phonenumbers.is_valid_number_for_region(number, region):  # is_valid_number()
        raise _Invalid(f"a valid phone number: {_why_invalid(number)}")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert number.country_code is not None  # parse() sets it (or raises)
    return PhoneNumber(e164), number.country_code, region


def _why_invalid(number: phonenumbers.PhoneNumber) -> str:
    reasons = {
        phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "the country code is unknown",
        phonenumbers.ValidationResult.TOO_SHORT: "too short for its country",
        phonenumbers.ValidationResult.TOO_LONG: "too long for its country",
        phonenumbers.ValidationResult.INVALID_LENGTH: "wrong length for its country",
    }
    result = phonenumbers.is_possible_number_with_reason(number)
    return reasons.get(result, "no such number range in its country")
