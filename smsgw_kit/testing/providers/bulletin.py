"""Emulated Bulletin Connect: `POST /api/1/sms/out` (204, or 400/401/403/500) and `GET /api/1/sms/queue`."""

from __future__ import annotations

import re

from ..state import EmulatorState, RecordedRequest, Reply
from .common import text_reply

NAME = "Bulletin.net"
ERRORS = {"400": "Bad request", "401": "Unauthorized", "403": "Insufficient funds", "500": "Internal server error"}


def _error(status: str, reason: str | None = None) -> Reply:
    reason = reason or ERRORS[status]
    return text_reply(f"<html><body><h1>{reason}</h1></body></html>", int(status), Status_Line=reason)


def send(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    f = req.fields
    missing = [k for k in ("userId", "password", "to", "body") if not f.get(k)]
    if missing:
        return _error("400", f"Missing parameter: {missing[0]}")
    if not state.accepts(NAME, user_name=f["userId"], password=f["password"]):
        return _error("401")
    if error:
        return _error(error)
    if not re.fullmatch(r"[1-9]\d{6,14}", f["to"]):
        return _error("400", f"Invalid to: {f['to']}")
    if len(f.get("messageId", "")) > 36:
        return _error("400", "Invalid messageId: longer than 36 characters")
    return text_reply("", 204)


def queue(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    f = req.query
    if not state.accepts(NAME, user_name=f.get("userId"), password=f.get("password")):
        return _error("401")
    return text_reply("inCount=0&statusCount=0")


ROUTES = (("POST", r"/api/1/sms/out", send), ("GET", r"/api/1/sms/queue", queue))
