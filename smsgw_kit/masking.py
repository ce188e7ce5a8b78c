"""Masking secrets in text, in every form a request can carry them: plain, URL-encoded, Basic auth, JSON-escaped."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "********"
MIN_ENCODED = 4  # shorter secrets are masked only as whole words: their encodings match too much else
_BASIC = re.compile(r"(?i)\b(basic\s+)([A-Za-z0-9+/_-]{4,}={0,2})")


def secret_strings(value: Any) -> Iterator[str]:
    """Every non-empty text inside `value` (a string, or mappings and lists of them)."""
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from secret_strings(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from secret_strings(item)


def _base64_cores(raw: bytes) -> set[str]:
    """The base64 characters fixed by `raw` alone, at each of the three alignments it can start at."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw + b"\0\0").decode()
        first, last = -(-8 * offset // 6), (8 * (offset + len(raw))) // 6
        core = encoded[first:last]
        if len(core) >= MIN_ENCODED:
            cores.update({core, core.replace("+", "-").replace("/", "_")})
    return cores


@functools.lru_cache(maxsize=256)
def _pattern(secret: str) -> re.Pattern[str]:
    forms = {re.escape(secret)}
    if len(secret) >= MIN_ENCODED:
        encoded = {quote(secret, safe=""), quote(secret, safe="/"), quote_plus(secret, safe=""),
                   quote_plus(secret, safe="/"), json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
                   quote(quote(secret, safe=""), safe="")}
        # %2f and %2F are the same: percent-encoded forms match either case of their hex digits
        for form in encoded - {secret}:
            forms.add(re.sub(r"%([0-9A-Fa-f]{2})", lambda m: f"%(?i:{m.group(1)})", re.escape(form).replace(r"\%", "%")))
        forms.update(re.escape(c) for c in _base64_cores(secret.encode()))
    # Whole tokens only, so a short password like "x" does not garble the word "proxy".
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(sorted(forms, key=len, reverse=True)) + r")(?![A-Za-z0-9])"
                      if len(secret) < MIN_ENCODED else "|".join(sorted(forms, key=len, reverse=True)))


def _unbasic(text: str, secrets: list[str]) -> str:
    """Basic credentials (base64 of user:password) holding a secret are masked whole."""
    def repl(match: re.Match[str]) -> str:
        try:
            decoded = base64.b64decode(match.group(2) + "==", altchars=b"-_" if "-" in match.group(2) or "_" in
                                       match.group(2) else None).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return match.group(0)
        return match.group(1) + MASK if any(s in decoded for s in secrets) else match.group(0)
    return _BASIC.sub(repl, text)


def mask(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with each secret masked wherever it appears, in any of the forms a request carries it."""
    found = sorted({s for s in secrets if s}, key=len, reverse=True)
    if not found or not text:
        return text
    text = _unbasic(text, found)
    for secret in found:
        text = _pattern(secret).sub(MASK, text)
    return text


def settings_secrets(settings: Any) -> list[str]:
    """The secrets a GatewaySettings holds: password, proxy password, and every secret option's text."""
    proxy = getattr(settings, "proxy", None)
    found = [getattr(settings, "password", None), proxy.password if proxy else None]
    found.extend(secret_strings(getattr(settings, "secret_options", None) or {}))
    return [s for s in found if s]

