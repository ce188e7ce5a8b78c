"""Emulated Nexmo: `POST /sms/json` (always HTTP 200, a status per message) and `GET /account/get-balance`.

Follows https://developer.vonage.com/en/api/sms and https://developer.vonage.com/en/api/account (the
specs Nexmo/api-specification `definitions/sms.yml`, `account.yml`; the suite validates these replies
against them).
"""

from __future__ import annotations

import re

from ...text import analyse
from ..state import EmulatorState, RecordedRequest, Reply
from .common import json_reply, new_id

NAME = "Nexmo"
ERRORS = {
    "1": "throttled", "2": "missing parameters", "3": "invalid parameters", "4": "invalid credentials",
    "5": "internal error", "6": "unroutable message", "7": "number barred", "8": "partner account barred",
    "9": "partner quota exceeded (no credit)", "11": "account not enabled for HTTP", "12": "message too long",
    "14": "invalid signature", "15": "invalid sender address", "29": "non-whitelisted destination",
    "33": "number deactivated",
}


def _error(status: str, text: str | None = None) -> Reply:
    return json_reply({"message-count": "1", "messages": [{"status": status, "error-text": text or ERRORS[status]}]})


def send(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    f = req.fields
    missing = [k for k in ("api_key", "api_secret", "from", "to", "text") if not f.get(k)]
    if missing:
        return _error("2", f"missing parameters: {', '.join(missing)}")
    if not state.accepts(NAME, user_name=f["api_key"], password=f["api_secret"]):
        return _error("4")
    if error:
        return _error(error)
    if not re.fullmatch(r"\d{7,15}", f["to"]) or f.get("type", "text") not in ("text", "unicode"):
        return _error("3", f"invalid parameters: to={f['to']!r}")
    parts = max(1, analyse(f["text"]).segments)
    message = {"to": f["to"], "status": "0", "remaining-balance": "10.17", "message-price": "0.0333",
               "network": "23410"}
    return json_reply({"message-count": str(parts),
                       "messages": [{**message, "message-id": new_id(length=16)} for _ in range(parts)]})


def balance(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    f = req.query
    if not state.accepts(NAME, user_name=f.get("api_key"), password=f.get("api_secret")):
        return json_reply({"error-code": "401", "error-code-label": "authentication failed"}, status=401)
    return json_reply({"value": 10.17, "autoReload": False})


ROUTES = (("POST", r"/sms/json", send), ("GET", r"/account/get-balance", balance))
