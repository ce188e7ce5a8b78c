"""The field rules of the seed, each in one function: names, ports, URLs, required fields, `[Code]`."""

from __future__ import annotations

import ipaddress
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import InvalidInput
from .models import NAME_MAX, SHORT_MAX, TEXT_MAX, URL_MAX

if TYPE_CHECKING:
    from .gateways.base import GatewayInfo

CODE_PLACEHOLDER = "[Code]"
ID_MAX = 2**31 - 1  # PostgreSQL `integer`: the widest id and version the database holds
PORTS = "a whole number from 1 to 65535"
TIMEOUTS = "seconds as a number, more than 0 and at most 300"
HOSTS = "a host name (letters, digits, hyphens and dots) or an IP address"
_INVALID = ("Cc", "Cs", "Co", "Cn")
_INVISIBLE = (*_INVALID, "Cf", "Zl", "Zp")  # format characters hide in names that look alike
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
DEFAULT_SMS_TEXT = "Your verification code is [Code]."
LINK_SOURCES = ("default", "manual")


def _no_control_chars(field: str, value: str, *, allow_newlines: bool = False,
                      refused: tuple[str, ...] = _INVALID) -> None:
    if value.isprintable():  # fast path: no C, Zl or Zp character at all (10,000-account documents)
        return
    for ch in value:
        if allow_newlines and ch in "\n\r\t":
            continue
        if unicodedata.category(ch) in refused:
            raise InvalidInput(field, f"contains the control, invisible or invalid character U+{ord(ch):04X}",
                               allowed="printable text without control or invisible formatting characters")


def _kind(value: Any) -> str:
    return type(value).__name__


def _shown(value: Any) -> str:
    """A short, safe rendering of a refused value (never huge, never a raise of its own)."""
    if isinstance(value, str):
        return repr(value[:40])
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return "a number with more than 20 digits"
    return repr(value) if isinstance(value, int | float | bool | None) else f"a {_kind(value)}"


def clean_name(value: Any, field: str = "name") -> tuple[str, str]:
    """The trimmed display name and its uniqueness key (NFKC, case-folded)."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be text, not {_kind(value)}", allowed=f"1 to {NAME_MAX} characters")
    _no_control_chars(field, value.strip(), refused=_INVISIBLE)  # look-alikes: 'Primary\u200b' is no new name
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        raise InvalidInput(field, "is empty", allowed=f"1 to {NAME_MAX} characters")
    if len(name) > NAME_MAX:
        raise InvalidInput(field, f"is {len(name)} characters long", allowed=f"at most {NAME_MAX} characters")
    key = unicodedata.normalize("NFKC", name).casefold()
    if len(key) > NAME_MAX * 4:  # NFKC can expand one character into many
        raise InvalidInput(field, "expands to too many characters", allowed=f"at most {NAME_MAX} characters")
    return name, key


def clean_text(value: Any, field: str, *, max_len: int = SHORT_MAX, multiline: bool = False) -> str | None:
    """Optional free text: trimmed, None when empty, bounded in length, no control characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be text, not {_kind(value)}", allowed=f"text of at most {max_len} characters")
    text = value.strip()
    if not text:
        return None
    if len(text) > max_len:
        raise InvalidInput(field, f"is {len(text)} characters long", allowed=f"at most {max_len} characters")
    _no_control_chars(field, text, allow_newlines=multiline)
    return text


def clean_secret(value: Any, field: str) -> str | None:
    """A password as given (not trimmed: spaces may be part of it); None or empty means 'not given'."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be text, not {_kind(value)}", allowed=f"text of at most {SHORT_MAX} characters")
    if len(value) > SHORT_MAX:
        raise InvalidInput(field, "is too long", allowed=f"at most {SHORT_MAX} characters")
    _no_control_chars(field, value)
    return value


def clean_host(value: Any, field: str) -> str | None:
    """A host name (RFC 1123 labels, internationalised names allowed) or an IP address, or None."""
    text = clean_text(value, field)
    if text is None:
        return None
    if _is_host(text):
        return text
    raise InvalidInput(field, f"{_shown(text)} is not a host name or IP address", allowed=HOSTS)


@lru_cache(maxsize=4096)  # a pure check; a 10,000-account document names a handful of hosts
def _is_host(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]") if text.startswith("[") else text)
        return True
    except ValueError:
        pass
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_name.rstrip(".").split(".")
    return len(ascii_name) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


_URL_ALLOWED = "http:// or https:// followed by a host name or IP address, and an optional port 1 to 65535"
_URL_USER = re.compile(r"//[^/@]*@")


def clean_url(value: Any, field: str = "gateway_url") -> str:
    """An http(s) URL with a valid host and port, or empty."""
    text = clean_text(value, field, max_len=URL_MAX) or ""
    if not text:
        return ""
    problem = _url_problem(text)
    if problem:
        shown = _shown(_URL_USER.sub("//***@", text))  # a password in the URL never reaches a message
        raise InvalidInput(field, f"{shown} {problem}", allowed=_URL_ALLOWED)
    return text


@lru_cache(maxsize=4096)  # a pure check; the accounts of one gateway type share its URL
def _url_problem(text: str) -> str | None:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "is not a web address"
    if parts.scheme not in ("http", "https") or not parts.hostname or not _is_host(parts.hostname):
        return "is not a web address"
    return "has port 0" if port == 0 else None


def clean_whole(value: Any, field: str, low: int, high: int, *, allowed: str | None = None,
                digits_ok: bool = False) -> int:
    """A whole number low..high; bools and floats refused, digits in a string only if `digits_ok`."""
    allowed = allowed or f"a whole number from {low} to {high}"
    if digits_ok and isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 12):
            raise InvalidInput(field, f"{_shown(value)} is not a whole number", allowed=allowed)
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, f"must be a whole number, not {_kind(value)}", allowed=allowed)
    if not low <= value <= high:
        raise InvalidInput(field, f"{_shown(value)} is out of range", allowed=allowed)
    return int(value)


def clean_port(value: Any, field: str = "proxy_port") -> int | None:
    """A TCP port 1–65535, or None; digits in a string are accepted (they come from forms)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return clean_whole(value, field, 1, 65535, allowed=PORTS, digits_ok=True)


def clean_timeout(value: Any, field: str) -> float:
    """Seconds to wait, more than 0 and at most 300 (a number, or a decimal number in a string)."""
    if isinstance(value, str):
        try:
            value = float(value.strip()) if value.strip().isascii() and len(value) <= 30 else None
        except ValueError:
            value = None
        if value is None:
            raise InvalidInput(field, "is not a number", allowed=TIMEOUTS)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(field, f"must be a number, not {_kind(value)}", allowed=TIMEOUTS)
    if isinstance(value, int) and not 0 < value <= 300:
        raise InvalidInput(field, f"{_shown(value)} is out of range", allowed=TIMEOUTS)
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 < seconds <= 300:
        raise InvalidInput(field, f"{seconds} is out of range", allowed=TIMEOUTS)
    return seconds


def clean_flag(value: Any, field: str) -> bool:
    """A real True or False: 'yes', 0 or [] are refused, not guessed at."""
    if not isinstance(value, bool):
        raise InvalidInput(field, f"must be True or False, not {_shown(value)}", allowed="True or False")
    return value


def clean_id(value: Any, field: str) -> int:
    """A database id: a whole number the database can hold."""
    return clean_whole(value, field, 1, ID_MAX, allowed=f"a name, or an id from 1 to {ID_MAX}")


def clean_version(value: Any, field: str = "expected_version") -> int | None:
    """The version the caller read (None: do not check)."""
    return None if value is None else clean_whole(value, field, 1, ID_MAX)


def clean_actor(value: Any, field: str = "actor") -> str:
    """Who acts, as the audit records it: non-empty printable text, at most SHORT_MAX characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, f"must be a non-empty text, not {_shown(value)}",
                           allowed=f"a user name of 1 to {SHORT_MAX} characters")
    text = value.strip()
    _no_control_chars(field, text, refused=_INVISIBLE)
    if len(text) > SHORT_MAX:
        raise InvalidInput(field, f"is {len(text)} characters long", allowed=f"at most {SHORT_MAX} characters")
    return text


def clean_choices(value: Any, field: str, allowed: Collection[str]) -> tuple[str, ...]:
    """Names picked from `allowed`: a list, tuple or set of them (or one name alone)."""
    shown = ", ".join(sorted(allowed))
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, list | tuple | set | frozenset):
        raise InvalidInput(field, f"must be a list of names, not {_kind(value)}", allowed=shown)
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            raise InvalidInput(field, f"{_shown(item)} cannot be chosen here", allowed=shown)
    return tuple(value)


def clean_moment(value: Any, field: str) -> datetime | None:
    """A timezone-aware datetime, or None (a naive one would mean a different moment on each machine)."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, f"must be a timezone-aware datetime, not {_shown(value)}",
                           allowed="e.g. datetime.now(UTC) - timedelta(days=7)")
    return value


def clean_many(value: Any, field: str, *, single: tuple[type, ...]) -> list[Any] | None:
    """None (meaning all), one item of a `single` type, or a list/tuple/set of items (each checked later)."""
    if value is None:
        return None
    if isinstance(value, single):
        return [value]
    if not isinstance(value, list | tuple | set | frozenset):
        raise InvalidInput(field, f"must be a list, not {_kind(value)}",
                           allowed="None (all) or a list of names, ids or accounts")
    return list(value)


def clean_callable(value: Any, field: str) -> Callable[..., Any] | None:
    if value is not None and not callable(value):
        raise InvalidInput(field, f"must be a function, not {_kind(value)}", allowed="a callable or None")
    return value


def clean_gateway_type(value: Any, field: str = "gateway_type") -> str:
    """The registered name of a gateway type (case-insensitive; the near miss suggested)."""
    from .gateways.registry import gateway_types, get_gateway_type

    if not isinstance(value, str):
        raise InvalidInput(field, f"must be the name of a gateway type, not {_kind(value)}",
                           allowed="one of: " + ", ".join(gateway_types()))
    text = clean_text(value, field) or ""
    return get_gateway_type(text).info.name


def clean_database_url(value: Any, field: str = "database_url") -> str:
    """A SQLAlchemy database URL as text, parseable, with a known driver name."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.engine import make_url

    allowed = "a database URL such as sqlite:///path/to/smsgw.db or postgresql://user@host/dbname"
    try:
        text = clean_text(value, field, max_len=URL_MAX)
    except InvalidInput as exc:
        raise InvalidInput(field, exc.problem, allowed=allowed) from None
    if text is None:
        raise InvalidInput(field, "is empty", allowed=allowed)
    try:
        make_url(text).get_backend_name()
    except (sa_exc.ArgumentError, ValueError, TypeError):  # how SQLAlchemy refuses a malformed URL
        raise InvalidInput(field, "is not a database URL", allowed=allowed) from None
    return text


def clean_sms_text(value: Any) -> str:
    """The store's SMS text: non-empty, bounded, and keeping the `[Code]` placeholder."""
    text = clean_text(value, "sms_text", max_len=TEXT_MAX, multiline=True)
    if not text or CODE_PLACEHOLDER not in text:
        raise InvalidInput("sms_text", f"must keep the {CODE_PLACEHOLDER} placeholder",
                           allowed=f"e.g. {DEFAULT_SMS_TEXT!r}")
    return text


OPTIONS_MAX = 20_000
_DEPTH_MAX = 16


def clean_options(value: Any, field: str = "options") -> dict[str, Any]:
    """Gateway-specific options: a mapping with text keys and JSON values (finite numbers, printable text)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(field, f"must be a mapping, not {_kind(value)}", allowed="a dict of JSON values")
    import json

    out = _json_value(dict(value), field, 0)
    if len(json.dumps(out)) > OPTIONS_MAX:
        raise InvalidInput(field, "is too large", allowed=f"at most {OPTIONS_MAX:,} characters as JSON")
    return out


def _json_value(value: Any, field: str, depth: int) -> Any:
    """A copy of `value` that every database stores as JSON, or InvalidInput naming where it is not."""
    allowed = "text, finite numbers, True/False, None, lists and dicts with text keys"
    if depth > _DEPTH_MAX:
        raise InvalidInput(field, "is nested too deeply (or refers to itself)", allowed=f"at most {_DEPTH_MAX} levels")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise InvalidInput(field, "holds a number too large", allowed="whole numbers up to 2**53")
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(field, f"holds {value}", allowed="finite numbers")
        return float(value)
    if isinstance(value, str):
        _no_control_chars(field, value, allow_newlines=True)
        return str(value)
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise InvalidInput(field, "has a key that is not text", allowed=allowed)
        for key in value:
            _no_control_chars(field, key)
        # the error names the top-level option (the form shows it there), not the path within it
        return {str(k): _json_value(v, f"{field}.{k}"[:80] if depth == 0 else field, depth + 1)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v, field, depth + 1) for v in value]
    raise InvalidInput(field, f"holds a {_kind(value)}", allowed=allowed)


def check_required(info: GatewayInfo, values: Mapping[str, Any]) -> None:
    """Every field the gateway type marks required has a value (secrets count when already stored)."""
    for name in info.required_fields:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidInput(name, f"is required for {info.name}", label=info.label(name),
                               allowed=f"a non-empty {info.label(name)}")


def check_formats(info: GatewayInfo, values: Mapping[str, Any]) -> None:
    """Every given field whose format the provider fixes (FieldSpec.pattern) matches it.

    Secrets are not format-checked: a kept one is only at hand encrypted, and its text never goes in an error.
    """
    for name, spec in info.fields.items():
        value = values.get(name)
        if not spec.pattern or spec.secret or not isinstance(value, str) or not value.strip():
            continue
        if not re.fullmatch(spec.pattern, value.strip()):
            raise InvalidInput(name, f"{value.strip()[:40]!r} is not a valid {spec.label} for {info.name}",
                               allowed=spec.hint or spec.pattern, label=spec.label)


def check_proxy(values: Mapping[str, Any]) -> None:
    """A proxy needs both an address and a port; credentials without a proxy make no sense."""
    host = values.get("proxy_host_name") or values.get("proxy_domain")
    port = values.get("proxy_port")
    if host and not port:
        raise InvalidInput("proxy_port", "is required when a proxy host is set", allowed="1 to 65535")
    if port and not host:
        raise InvalidInput("proxy_host_name", "is required when a proxy port is set", allowed=HOSTS)
    if not host and (values.get("proxy_user_name") or values.get("proxy_password")):
        raise InvalidInput("proxy_host_name", "is required when proxy credentials are set", allowed=HOSTS)
