"""Emulated Twilio: `POST /2010-04-01/Accounts/{Sid}/Messages.json`, account and balance lookups, Basic auth.

Follows https://www.twilio.com/docs/messaging/api/message-resource and the errors of
https://www.twilio.com/docs/api/errors (the spec twilio/twilio-oai `twilio_api_v2010.json`; the suite
validates the success replies against it).
"""

from __future__ import annotations

import re

from ...text import analyse
from ..state import EmulatorState, RecordedRequest, Reply
from .common import json_reply, new_id

NAME = "Twilio"
ERRORS = {
    "20003": (401, "Authenticate"), "20429": (429, "Too Many Requests"),
    "21211": (400, "Invalid 'To' Phone Number"), "21212": (400, "Invalid 'From' Phone Number"),
    "21602": (400, "Message body is required"),
    "21606": (400, "The 'From' phone number provided is not a valid message-capable Twilio phone number"),
    "21608": (400, "The number is unverified; trial accounts may only send messages to verified numbers"),
    "21610": (400, "Attempt to send to unsubscribed recipient"),
    "21612": (400, "The 'To' phone number is not currently reachable via SMS"),
    "21614": (400, "'To' number is not a valid mobile number"),
}


def _error(code: str) -> Reply:
    status, message = ERRORS[code]
    return json_reply({"code": int(code), "message": message, "status": status,
                       "more_info": f"https://www.twilio.com/docs/errors/{code}"}, status=status)


def _authorised(req: RecordedRequest, state: EmulatorState, sid: str) -> bool:
    user, password = req.basic_auth or ("", "")
    return user == sid and state.accepts(NAME, account_id=user, password=password)


def send(req: RecordedRequest, state: EmulatorState, error: str | None, sid: str) -> Reply:
    if not _authorised(req, state, sid):
        return _error("20003")
    if error:
        return _error(error)
    f = req.form
    if not re.fullmatch(r"\+[1-9]\d{6,14}", f.get("To", "")):
        return _error("21211")
    if not (f.get("From") or f.get("MessagingServiceSid")):
        return _error("21212")
    if not f.get("Body"):
        return _error("21602")
    return json_reply({
        "sid": new_id("SM"), "account_sid": sid, "to": f["To"], "from": f.get("From"), "body": f["Body"],
        "messaging_service_sid": f.get("MessagingServiceSid"), "status": "queued", "direction": "outbound-api",
        "num_segments": str(max(1, analyse(f["Body"]).segments)), "error_code": None, "error_message": None,
        "price": None, "api_version": "2010-04-01", "uri": f"/2010-04-01/Accounts/{sid}/Messages.json",
    }, status=201)


def account(req: RecordedRequest, state: EmulatorState, error: str | None, sid: str) -> Reply:
    if not _authorised(req, state, sid):
        return _error("20003")
    return json_reply({"sid": sid, "friendly_name": "Emulated account", "status": "active", "type": "Full"})


def balance(req: RecordedRequest, state: EmulatorState, error: str | None, sid: str) -> Reply:
    if not _authorised(req, state, sid):
        return _error("20003")
    return json_reply({"account_sid": sid, "balance": "0.05", "currency": "USD"})


ROUTES = (
    ("POST", r"/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json", send),
    ("GET", r"/2010-04-01/Accounts/(?P<sid>[^/]+)/Balance\.json", balance),
    ("GET", r"/2010-04-01/Accounts/(?P<sid>[^/.]+)\.json", account),
)
