"""Reading providers' replies defensively: malformed replies never raise, and a bare status is explained."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

_TAGS = re.compile(r"<[^>]+>")


def json_or_none(response: httpx.Response) -> Any:
    """The reply's JSON, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def excerpt(text: str, limit: int = 120) -> str:
    """The first `limit` characters of a reply on one line, for error messages."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    # Cut at a word boundary: half a word may be half a secret, which masking cannot recognise.
    cut = flat[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"



def status_meaning(status: int) -> str:
    """What an HTTP error status means for an SMS gateway account, in the operator's words."""
    if status in (401, 403):
        return "the credentials were refused"
    if status == 404:
        return "nothing at that address: check the gateway URL and the account ID"
    if status == 429:
        return "rate limited: too many requests, try again later"
    if status >= 500:
        return "a failure at the provider (or a gateway in front of it)"
    if status >= 400:
        return "the request was refused"
    return "an unexpected reply"


def plain_text(response: httpx.Response) -> str:
    """The reply's text without HTML tags, on one line and short (may be empty)."""
    return excerpt(_TAGS.sub(" ", response.text or ""))


def explain(provider: str, response: httpx.Response, own: str | None = None) -> str:
    """"<provider> answered HTTP 401 (the credentials were refused): <its own text>" for a reply lacking the
    provider's usual error fields; `own` is the provider's words when it gave some, else the body's text."""
    status = response.status_code
    words = own if own is not None else plain_text(response)
    head = f"{provider} answered HTTP {status} ({status_meaning(status)})"
    return f"{head}: {words}" if words else head


def malformed(response: httpx.Response) -> bool:
    """True when the reply says it is JSON but does not parse (a truncated or garbled body)."""
    if "json" not in response.headers.get("content-type", ""):
        return False
    try:
        json.loads(response.content or b"")
    except ValueError:
        return True
    return False
