"""Emulated generic HTTP SMS API: `/generic/send` (Bearer token; `to`, `text`) and `GET /generic/balance`."""

from __future__ import annotations

from ..state import EmulatorState, RecordedRequest, Reply
from .common import new_id, text_reply

NAME = "Generic HTTP"
ERRORS = {"400": "ERROR bad request", "402": "ERROR no credit", "500": "ERROR internal error"}


def _authorised(req: RecordedRequest, state: EmulatorState) -> bool:
    scheme, _, token = (req.header("Authorization") or "").partition(" ")
    return scheme == "Bearer" and state.accepts(NAME, password=token)


def send(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    if not _authorised(req, state):
        return text_reply("ERROR invalid token", 401)
    if error:
        return text_reply(ERRORS[error], int(error))
    f = req.fields
    missing = [k for k in ("to", "text") if not f.get(k)]
    if missing:
        return text_reply(f"ERROR missing {missing[0]}", 400)
    return text_reply(f"OK id={new_id()}")


def balance(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    return text_reply("OK credit=5", 200) if _authorised(req, state) else text_reply("ERROR invalid token", 401)


ROUTES = (*((m, r"/generic/send", send) for m in ("GET", "POST")), ("GET", r"/generic/balance", balance))
