"""Emulated RedOxygen: `/sms.dll?Action=SendSMS`, a plain-text reply whose first four characters are a code.

Follows documented.REDOXYGEN (https://www.redoxygen.com/support/wiki/red_api/http). RedOxygen
publishes no error table: the codes in ERRORS are illustrative, only `0000` (success) is documented.
"""

from __future__ import annotations

import re

from ..documented import REDOXYGEN
from ..state import EmulatorState, RecordedRequest, Reply
from .common import text_reply

NAME = "RedOxygen"
ERRORS = dict(REDOXYGEN["errors"])


def send(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    f = req.fields
    if f.get("Action") != "SendSMS" or not all(f.get(k) for k in REDOXYGEN["send_request"]):
        return text_reply("1002 Missing parameter")
    if not state.accepts(NAME, account_id=f["AccountId"], user_name=f["Email"], password=f["Password"]):
        return text_reply("1001 Authentication failed")
    if error:
        return text_reply(f"{error} {ERRORS[error]}")
    if not all(re.fullmatch(r"[1-9]\d{6,14}", r) for r in f["Recipient"].split(",")):
        return text_reply("1003 Invalid recipient")
    if len(f["Message"]) > REDOXYGEN["message_max"]:
        return text_reply("1005 Message too long")
    return text_reply(f"{REDOXYGEN['success_code']} Message(s) sent")


ROUTES = (("GET", r"/sms\.dll", send), ("POST", r"/sms\.dll", send))
