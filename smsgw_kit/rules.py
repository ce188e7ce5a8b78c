"""The field rules of the seed, each in one function: names, ports, URLs, required fields, `[Code]`."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import InvalidInput
from .models import NAME_MAX, SHORT_MAX, TEXT_MAX, URL_MAX

if TYPE_CHECKING:
    from .gateways.base import GatewayInfo

CODE_PLACEHOLDER = "[Code]"
DEFAULT_SMS_TEXT = "Your verification code is [Code]."
LINK_SOURCES = ("default", "manual")


def _no_control_chars(field: str, value: str, *, allow_newlines: bool = False) -> None:
    if value.isprintable():  # fast path: no character of any "C" category (10,000-account documents)
        return
    for ch in value:
        if allow_newlines and ch in "\n\r\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            raise InvalidInput(field, f"contains the control or invalid character U+{ord(ch):04X}",
                               allowed="printable text only")


def clean_name(value: Any, field: str = "name") -> tuple[str, str]:
    """The trimmed display name and its uniqueness key (NFKC, case-folded)."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be text, not {type(value).__name__}")
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        raise InvalidInput(field, "is empty", allowed=f"1 to {NAME_MAX} characters")
    if len(name) > NAME_MAX:
        raise InvalidInput(field, f"is {len(name)} characters long", allowed=f"at most {NAME_MAX}")
    _no_control_chars(field, name)
    key = unicodedata.normalize("NFKC", name).casefold()
    if len(key) > NAME_MAX * 4:  # NFKC can expand one character into many
        raise InvalidInput(field, "expands to too many characters", allowed=f"at most {NAME_MAX}")
    return name, key


def clean_text(value: Any, field: str, *, max_len: int = SHORT_MAX, multiline: bool = False) -> str | None:
    """Optional free text: trimmed, None when empty, bounded in length, no control characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if len(text) > max_len:
        raise InvalidInput(field, f"is {len(text)} characters long", allowed=f"at most {max_len}")
    _no_control_chars(field, text, allow_newlines=multiline)
    return text


def clean_secret(value: Any, field: str) -> str | None:
    """A password as given (not trimmed: spaces may be part of it); None or empty means 'not given'."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    if len(value) > SHORT_MAX:
        raise InvalidInput(field, "is too long", allowed=f"at most {SHORT_MAX} characters")
    _no_control_chars(field, value)
    return value


def clean_url(value: Any, field: str = "gateway_url") -> str:
    """An http(s) URL with a host, or empty."""
    text = clean_text(value, field, max_len=URL_MAX) or ""
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(field, f"{text!r} is not a web address", allowed="http:// or https:// followed by a host")
    return text


def clean_port(value: Any, field: str = "proxy_port") -> int | None:
    """A TCP port 1–65535, or None; digits in a string are accepted (they come from forms)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput(field, "must be a whole number", allowed="1 to 65535")
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            raise InvalidInput(field, f"{value[:20]!r} is not a number", allowed="1 to 65535")
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= 65535:
        raise InvalidInput(field, f"{str(value)[:20]} is out of range", allowed="1 to 65535")
    return value


def clean_timeout(value: Any, field: str) -> float:
    """Seconds to wait, more than 0 and at most 300."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(field, f"{str(value)[:20]!r} is not a number", allowed="seconds, 0 < t ≤ 300") from None
    if not math.isfinite(seconds) or not 0 < seconds <= 300:
        raise InvalidInput(field, f"{seconds} is out of range", allowed="seconds, 0 < t ≤ 300")
    return seconds


def clean_sms_text(value: Any) -> str:
    """The store's SMS text: non-empty, bounded, and keeping the `[Code]` placeholder."""
    text = clean_text(value, "sms_text", max_len=TEXT_MAX, multiline=True)
    if not text or CODE_PLACEHOLDER not in text:
        raise InvalidInput("sms_text", f"must keep the {CODE_PLACEHOLDER} placeholder",
                           allowed=f"e.g. {DEFAULT_SMS_TEXT!r}")
    return text


def clean_options(value: Any) -> dict[str, Any]:
    """Gateway-specific options: a JSON-able mapping with text keys."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidInput("options", "must be a mapping with text keys")
    import json

    try:
        encoded = json.dumps(dict(value))
    except (TypeError, ValueError) as exc:
        raise InvalidInput("options", f"cannot be stored: {exc}", allowed="JSON values only") from None
    if len(encoded) > 20_000:
        raise InvalidInput("options", "is too large", allowed="at most 20,000 characters as JSON")
    return json.loads(encoded)


def check_required(info: "GatewayInfo", values: Mapping[str, Any]) -> None:
    """Every field the gateway type marks required has a value (secrets count when already stored)."""
    for name in info.required_fields:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidInput(name, f"is required for {info.name}", label=info.label(name))


def check_proxy(values: Mapping[str, Any]) -> None:
    """A proxy needs both an address and a port; credentials without a proxy make no sense."""
    host = values.get("proxy_host_name") or values.get("proxy_domain")
    port = values.get("proxy_port")
    if host and not port:
        raise InvalidInput("proxy_port", "is required when a proxy host is set", allowed="1 to 65535")
    if port and not host:
        raise InvalidInput("proxy_host_name", "is required when a proxy port is set")
    if not host and (values.get("proxy_user_name") or values.get("proxy_password")):
        raise InvalidInput("proxy_host_name", "is required when proxy credentials are set")
