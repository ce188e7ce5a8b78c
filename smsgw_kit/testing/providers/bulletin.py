"""Emulated Bulletin Messenger: `POST /api/{1,3}/sms/out` (204, or 400/401/403/500) and `GET /api/2/sms/list`.

Follows documented.BULLETIN (https://docs.bulletin.net/subjects/api-sending/ and
https://docs.bulletin.net/subjects/api-message-rss/): credentials as form fields or Basic auth, `from`
only from /api/3, `contentType=text/plain; charset=UTF-16` for richer alphabets, messageId ≤ 36.
"""

from __future__ import annotations

import re

from ...text import GSM7, analyse
from ..documented import BULLETIN
from ..state import EmulatorState, RecordedRequest, Reply
from .common import text_reply

NAME = "Bulletin.net"
ERRORS = dict(BULLETIN["errors"])


def _error(status: str, reason: str | None = None) -> Reply:
    reason = reason or ERRORS[status]
    return text_reply(f"<html><body><h1>{reason}</h1></body></html>", int(status), Status_Line=reason)


def _credentials(req: RecordedRequest) -> tuple[str | None, str | None]:
    f = req.fields
    if req.basic_auth:
        return req.basic_auth
    return f.get("userId"), f.get("password")


def _refusal(req: RecordedRequest, version: int) -> Reply | None:
    f = req.fields
    if f.get("from") and version < BULLETIN["from_min_version"]:
        return _error("400", f"Invalid parameter: from (needs /api/{BULLETIN['from_min_version']})")
    if not re.fullmatch(r"[1-9]\d{6,14}", f["to"]):
        return _error("400", f"Invalid to: {f['to']}")
    if len(f.get("messageId", "")) > BULLETIN["message_id_max"]:
        return _error("400", "Invalid messageId: longer than 36 characters")
    content_type = f.get("contentType")
    if content_type not in (None, BULLETIN["utf16_content_type"]):
        return _error("400", f"Invalid contentType: {content_type}")
    if content_type is None and analyse(f["body"]).encoding != GSM7:
        return _error("400", "Invalid body: characters outside the GSM alphabet need contentType UTF-16")
    return None


def send(req: RecordedRequest, state: EmulatorState, error: str | None, version: str) -> Reply:
    f = req.fields
    user, password = _credentials(req)
    missing = [k for k in ("to", "body") if not f.get(k)] + ([] if user and password else ["userId"])
    if missing:
        return _error("400", f"Missing parameter: {missing[0]}")
    if not state.accepts(NAME, user_name=user, password=password):
        return _error("401")
    if error:
        return _error(error)
    return _refusal(req, int(version)) or text_reply("", BULLETIN["send_success_status"])


def recent(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    user, password = _credentials(req)
    if not state.accepts(NAME, user_name=user, password=password):
        return _error("401")
    return Reply(body=BULLETIN["list_reply"], content_type="application/atom+xml")


ROUTES = (
    ("POST", r"/api/(?P<version>[13])/sms/out", send), ("GET", r"/api/(?P<version>[13])/sms/out", send),
    ("GET", r"/api/2/sms/list", recent), ("POST", r"/api/2/sms/list", recent),
)
