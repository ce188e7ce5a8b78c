"""Small helpers for reading providers' replies defensively (malformed replies never raise)."""

from __future__ import annotations

from typing import Any

import httpx


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
