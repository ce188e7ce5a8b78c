"""The emulator's delivery receipts: every accepted message goes queued → sent → delivered or undelivered.

Each provider's status query answers as its documentation says (see `smsgw_kit.gateways.delivery`):
Twilio's Message resource, Clickatell's `querymsg`, Bulletin.net's `/sms/status` poll (which the
emulator answers at once with 204 when it has no update, where the real service holds it 30 s).
`ProviderEmulator.set_delivery(...)` chooses how fast messages move on and how they end, with the
providers' documented failure codes.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from .state import EmulatorState, RecordedRequest, Reply

# Documented final failures per provider (code → text), used as the `undelivered` outcome.
# Twilio: https://www.twilio.com/docs/api/errors (30003..30008); Clickatell: archived HTTP API
# "Message status codes"; Bulletin.net: http://docs.bulletin.net/subjects/status-codes.
FAILURES = {
    "Twilio": {"30003": "Unreachable destination handset", "30005": "Unknown destination handset",
               "30006": "Landline or unreachable carrier", "30007": "Message filtered",
               "30008": "Unknown error"},
    "Clickatell": {"005": "Error with message", "007": "Error delivering message", "009": "Routing error",
                   "010": "Message expired", "012": "Out of credit", "014": "Maximum MT limit exceeded"},
    "Bulletin.net": {"NUR": "Number Unreachable", "NRCV": "Not Received", "EXP": "Expired", "ERR": "Internal Error",
                     "INF": "Insufficient funds"},
}


@dataclass
class _Message:
    provider: str
    to: str
    created: float
    failure: str | None  # None: delivered
    handed_out: int = 0  # Bulletin: how many status updates were polled already


class Receipts:
    """Thread-safe book of accepted messages and how far each has got."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: dict[str, _Message] = {}
        self.step = 0.2  # seconds queued, then seconds sent, before the final state
        self._failures: dict[str, str] = {}

    def configure(self, provider: str, *, step: float | None = None, failure: str | None = None) -> None:
        if failure is not None and failure not in FAILURES[provider]:
            raise ValueError(f"{provider} documents no delivery failure {failure!r}; known: "
                             f"{', '.join(FAILURES[provider])}")
        with self._lock:
            if step is not None:
                self.step = step
            if failure is None:
                self._failures.pop(provider, None)
            else:
                self._failures[provider] = failure

    def accept(self, provider: str, message_id: str, to: str) -> None:
        with self._lock:
            self._messages[message_id] = _Message(provider, to, time.monotonic(), self._failures.get(provider))

    def state(self, message_id: str) -> tuple[str, str | None] | None:
        """("queued" | "sent" | "delivered" | "undelivered", failure code) or None when unknown."""
        with self._lock:
            msg = self._messages.get(message_id)
        if msg is None:
            return None
        age = time.monotonic() - msg.created
        if age < self.step:
            return "queued", None
        if age < 2 * self.step:
            return "sent", None
        return ("undelivered", msg.failure) if msg.failure else ("delivered", None)

    def next_bulletin_update(self) -> tuple[str, _Message, str] | None:
        """The oldest status update not yet polled: (message id, message, Bulletin status code)."""
        with self._lock:
            items = sorted(self._messages.items(), key=lambda kv: kv[1].created)
        for message_id, msg in items:
            if msg.provider != "Bulletin.net":
                continue
            found = self.state(message_id)
            assert found is not None  # the id comes from this registry
            stage, failure = found
            updates = {"queued": [], "sent": ["SNT"]}.get(stage, ["SNT", failure or "RCV"])
            if msg.handed_out < len(updates):
                with self._lock:
                    msg.handed_out += 1
                return message_id, msg, updates[msg.handed_out - 1]
        return None

    def observe(self, request: RecordedRequest, reply: Reply) -> None:
        """Book the message a successful send reply accepted."""
        if request.provider == "Twilio" and reply.status == 201:
            body = json.loads(reply.body)
            self.accept("Twilio", body["sid"], body["to"])
        elif request.provider == "Clickatell" and request.path.endswith("/sendmsg"):
            text = reply.body.decode() if isinstance(reply.body, bytes) else reply.body
            if found := re.match(r"ID:\s*(\S+)", text):
                self.accept("Clickatell", found.group(1), request.fields.get("to", ""))
        elif request.provider == "Bulletin.net" and request.path.endswith("/sms/out") and reply.status == 204:
            self.accept("Bulletin.net", request.fields.get("messageId", ""), request.fields.get("to", ""))


def _receipts(state: EmulatorState) -> Receipts:
    return state.receipts


def twilio_message(req: RecordedRequest, state: EmulatorState, error: str | None, sid: str, msid: str) -> Reply:
    from .providers import twilio

    if not twilio._authorised(req, state, sid):
        return twilio._error("20003")
    found = _receipts(state).state(msid)
    if found is None:
        return Reply(status=404, content_type="application/json", body=json.dumps({
            "code": 20404, "message": f"The requested resource /2010-04-01/Accounts/{sid}/Messages/{msid}.json "
                                      "was not found", "more_info": "https://www.twilio.com/docs/errors/20404",
            "status": 404}))
    status, failure = found
    return Reply(content_type="application/json", body=json.dumps({
        "sid": msid, "account_sid": sid, "status": status, "direction": "outbound-api",
        "error_code": int(failure) if failure else None,
        "error_message": FAILURES["Twilio"][failure] if failure else None,
    }))


def clickatell_query(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    from .providers import clickatell

    refused = clickatell._auth_error(req, state)
    if refused:
        return refused
    message_id = req.fields.get("apimsgid", "")
    found = _receipts(state).state(message_id)
    if found is None:
        return Reply(body="ERR: 116, Invalid Unique Message ID")
    status, failure = found
    code = {"queued": "002", "sent": "003", "delivered": "004"}.get(status) or failure
    return Reply(body=f"ID: {message_id} Status: {code}")


def bulletin_status(req: RecordedRequest, state: EmulatorState, error: str | None) -> Reply:
    user_name, password = req.basic_auth or (req.fields.get("userId"), req.fields.get("password"))
    if not state.accepts("Bulletin.net", user_name=user_name, password=password):
        return Reply(status=401, body="<html><body><h1>Unauthorized</h1></body></html>")
    update = _receipts(state).next_bulletin_update()
    if update is None:
        return Reply(status=204)
    message_id, msg, code = update
    return Reply(body=urlencode({"messageId": uuid.uuid4().hex, "to": "smsgwkit", "from": msg.to,
                                 "statusCode": code, "inReplyToId": message_id}),
                 content_type="application/x-www-form-urlencoded")


# (method, path pattern, provider, handler), added to the emulator's routes.
ROUTES = (
    ("GET", r"/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages/(?P<msid>[^/.]+)\.json", "Twilio", twilio_message),
    ("GET", r"/http/querymsg", "Clickatell", clickatell_query),
    ("POST", r"/http/querymsg", "Clickatell", clickatell_query),
    ("GET", r"/api/\d+/sms/status", "Bulletin.net", bulletin_status),
)
