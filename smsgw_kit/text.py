"""SMS text encoding: whether a text fits GSM-7 or needs UCS-2, and how many segments are billed."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

# GSM 03.38 basic character set (one septet each) and its extension table (escape + char: two).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# (characters in a single message, characters per part of a concatenated message)
_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True, kw_only=True)
class SmsText:
    """How a text travels as SMS: its encoding, its length in that encoding's units, its segments."""

    encoding: str
    units: int
    segments: int

    @property
    def per_segment(self) -> int:
        single, part = _LIMITS[self.encoding]
        return single if self.segments <= 1 else part


def is_gsm7(text: str) -> bool:
    """True when every character of `text` is in the GSM-7 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def encoding(text: str) -> str:
    """"GSM-7" when the text fits the GSM alphabet, otherwise "UCS-2"."""
    return GSM7 if is_gsm7(text) else UCS2


def units(text: str) -> int:
    """Length in the text's encoding: septets for GSM-7 (extension chars count two), UTF-16 units else."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


@functools.lru_cache(maxsize=256)  # a batch analyses the same test text for every account
def analyse(text: str) -> SmsText:
    """Encoding, length and billed segments (160/153 for GSM-7, 70/67 for UCS-2)."""
    enc = encoding(text)
    n = units(text)
    single, part = _LIMITS[enc]
    segments = 0 if n == 0 else 1 if n <= single else math.ceil(n / part)
    return SmsText(encoding=enc, units=n, segments=segments)


def segments(text: str) -> int:
    """How many SMS segments the provider bills for `text`."""
    return analyse(text).segments
