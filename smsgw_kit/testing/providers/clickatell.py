"""Emulated Clickatell HTTP API: `/http/sendmsg` (`ID: …` or `ERR: code, text`) and `/http/getbalance`."""

from __future__ import annotations

import re

from ..state import EmulatorState, RecordedRequest, Reply
from .common import new_id, text_reply

NAME = "Clickatell"
ERRORS = {"001": "Authentication failed", "002": "Unknown username or password", "004": "Account frozen",
          "007": "IP Lockdown violation", "101": "Invalid or missing parameters",
          "105": "Invalid destination address", "106": "Invalid source address", "108": "Invalid or missing api_id"}


def _error(code: str) -> Reply:
    return text_reply(f"ERR: {code}, {ERRORS[code]}")


def _auth_error(req: RecordedRequest, state: EmulatorState) -> Reply | None:
    f = req.fields
    if not state.accepts(NAME, account_id=f.get("api_id")):
        return _error("108")
    if not state.accepts(NAME, account_id=f.get("api_id"), user_name=f.get("user"), password=f.get("password")):
        return _error("001")
    return None


def send(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    f = req.fields
    if not (f.get("to") and f.get("text")):
        return _error("101")
    refused = _auth_error(req, state)
    if refused:
        return refused
    if error:
        return _error(error)
    if not re.fullmatch(r"[1-9]\d{6,14}", f["to"]):
        return _error("105")
    return text_reply(f"ID: {new_id()}")


def balance(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    return _auth_error(req, state) or text_reply("Credit: 12.6")


ROUTES = tuple((m, p, h) for m in ("GET", "POST") for p, h in ((r"/http/sendmsg", send), (r"/http/getbalance", balance)))
