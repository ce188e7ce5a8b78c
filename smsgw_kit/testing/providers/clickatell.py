"""Emulated Clickatell HTTP API: `/http/sendmsg` (`ID: …` or `ERR: code, text`) and `/http/getbalance`.

Answers as the archived HTTP API pages document it (documented.CLICKATELL: the send page
https://docs.clickatell.com/archive/channels/sms-http-s-api-archived/http-api-send-message/ and the
balance page .../http-api-retrieve-account-balance/): `Credits: <balance>` for the balance, and with
`unicode=1` a `text` that must be hex-encoded UCS-2.
"""

from __future__ import annotations

import re

from ..documented import CLICKATELL
from ..state import EmulatorState, RecordedRequest, Reply
from .common import new_id, text_reply

NAME = "Clickatell"
ERRORS = dict(CLICKATELL["errors"])
_HEX_UCS2 = re.compile(r"(?:[0-9A-Fa-f]{4})+")


def _error(code: str) -> Reply:
    return text_reply(f"ERR: {code}, {ERRORS[code]}")


def _auth_error(req: RecordedRequest, state: EmulatorState) -> Reply | None:
    f = req.fields
    if not state.accepts(NAME, account_id=f.get("api_id")):
        return _error("108")
    if not state.accepts(NAME, account_id=f.get("api_id"), user_name=f.get("user"), password=f.get("password")):
        return _error("001")
    return None


def _text_ok(f: dict) -> bool:
    """With unicode=1 the text is hex UCS-2 (raw text there is an invalid parameter)."""
    return f.get("unicode") != "1" or bool(_HEX_UCS2.fullmatch(f["text"]))


def send(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    f = req.fields
    if not (f.get("to") and f.get("text")) or not _text_ok(f):
        return _error("101")
    refused = _auth_error(req, state)
    if refused:
        return refused
    if error:
        return _error(error)
    if not re.fullmatch(r"[1-9]\d{6,14}", f["to"]):
        return _error("105")
    return text_reply(CLICKATELL["send_reply"].format(apimsgid=new_id()))


def balance(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    return _auth_error(req, state) or text_reply(CLICKATELL["balance_reply"])


ROUTES = tuple((m, p, h) for m in ("GET", "POST") for p, h in ((r"/http/sendmsg", send), (r"/http/getbalance", balance)))
