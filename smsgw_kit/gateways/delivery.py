"""Asking a provider whether a message it accepted reached the handset (where the provider lets us ask).

- Twilio: the Message resource, `GET {base}/Accounts/{Sid}/Messages/{MessageSid}.json`; `status` is
  queued/accepted/scheduled/sending/sent (pending), delivered, or undelivered/failed with `error_code`
  and `error_message` (https://www.twilio.com/docs/messaging/api/message-resource).
- Clickatell (legacy HTTP API): `querymsg` beside `sendmsg` with the credentials and `apimsgid`;
  reply `ID: <id> Status: <code>` (004 received by recipient; 005, 006, 007, 009, 010, 012, 014 final
  failures; 001, 002, 003, 008, 011 still on the way) or `ERR: <code>, <text>`
  (https://docs.clickatell.com/archive/channels/sms-http-s-api-archived/ "Query message status" and
  "Message status codes").
- Bulletin.net: status updates are polled, `GET {base}/status` with Basic auth; 200 carries
  one form-encoded update (`messageId`, `inReplyToId` = the `messageId` we sent, `statusCode`
  RCV/SNT/NUR/NRCV/NRC/EXP/ERR/INF), 204 none. Each update is handed out once, so every update read
  is returned to the caller to keep (http://docs.bulletin.net/subjects/api-status-polling/,
  http://docs.bulletin.net/subjects/status-codes).
Nexmo (delivery receipts only by webhook), RedOxygen and the generic gateway: not offered.
A custom gateway offers it by defining `check_delivery(message_id) -> DeliveryStatus`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

from ..errors import GatewayError, GatewayTimeout
from .bulletin import BulletinGateway
from .clickatell import ClickatellGateway
from .gateway import Gateway
from .replies import excerpt, json_or_none
from .twilio import TwilioGateway

Status = Literal["delivered", "undelivered", "pending", "unsupported", "unknown"]

TWILIO_PENDING = {"queued", "accepted", "scheduled", "sending", "sent"}
TWILIO_FAILED = {"undelivered", "failed", "canceled"}
CLICKATELL_STATUS: dict[str, tuple[Status, str]] = {
    "001": ("pending", "message unknown (yet)"), "002": ("pending", "message queued"),
    "003": ("pending", "delivered to gateway"), "004": ("delivered", "received by recipient"),
    "005": ("undelivered", "error with message"), "006": ("undelivered", "user cancelled message delivery"),
    "007": ("undelivered", "error delivering message"), "008": ("pending", "OK, message received by gateway"),
    "009": ("undelivered", "routing error"), "010": ("undelivered", "message expired"),
    "011": ("pending", "message queued for later delivery"), "012": ("undelivered", "out of credit"),
    "014": ("undelivered", "maximum MT limit exceeded"),
}
BULLETIN_STATUS: dict[str, tuple[Status, str]] = {
    "RCV": ("delivered", "message received"), "SNT": ("pending", "message passed to network"),
    "NUR": ("undelivered", "number unreachable"), "NRCV": ("undelivered", "not received"),
    "NRC": ("undelivered", "not received"), "EXP": ("undelivered", "not delivered within allowed time"),
    "ERR": ("undelivered", "internal error"), "INF": ("undelivered", "insufficient funds"),
}
_CLICKATELL = re.compile(r"ID:\s*(\S+)\s+Status:\s*(\d+)")
_CLICKATELL_ERR = re.compile(r"ERR:\s*(\d+)\s*,?\s*(.*)", re.DOTALL)
BULLETIN_MAX_READS = 50


@dataclass(frozen=True, kw_only=True)
class DeliveryStatus:
    """delivered / undelivered (with the provider's reason) / pending / unsupported / unknown."""

    status: Status
    reason: str = ""
    provider_status: str | None = None
    # Status updates for other messages read on the way (Bulletin hands each out once): id → status.
    others: dict[str, DeliveryStatus] = field(default_factory=dict, repr=False)

    @property
    def final(self) -> bool:
        return self.status in ("delivered", "undelivered", "unsupported")


def not_offered(provider: str) -> DeliveryStatus:
    return DeliveryStatus(status="unsupported", reason=f"not offered by this provider ({provider})")


def check_delivery(gateway: Gateway, message_id: str | None) -> DeliveryStatus:
    """Ask `gateway`'s provider about `message_id`; never raises for the provider's or network's failure."""
    if not message_id:
        return DeliveryStatus(status="unknown", reason="no message id: the provider gave none for this send")
    custom = getattr(gateway, "check_delivery", None)
    built_in = _BUILT_IN.get(type(gateway))
    if custom is None and built_in is None:
        return not_offered(gateway.info.name)
    try:
        if custom:
            return custom(message_id)
        assert built_in is not None  # checked above: one of the two is set
        return built_in(gateway, message_id)
    except GatewayError as exc:
        return DeliveryStatus(status="unknown", reason=f"could not ask {gateway.info.name}: {exc}")


def _twilio(gateway: TwilioGateway, message_id: str) -> DeliveryStatus:
    url = f"{gateway.base}/Accounts/{gateway.settings.account_id}/Messages/{message_id}.json"
    response = gateway.request("GET", url, auth=gateway.auth)
    body = json_or_none(response)
    if not isinstance(body, dict) or response.status_code != 200:
        text = body.get("message") if isinstance(body, dict) else excerpt(response.text)
        return DeliveryStatus(status="unknown", reason=f"Twilio says: {text} (HTTP {response.status_code})")
    status = str(body.get("status"))
    if status == "delivered":
        return DeliveryStatus(status="delivered", reason="delivered to the handset", provider_status=status)
    if status in TWILIO_FAILED:
        why = f"error {body.get('error_code')}: {body.get('error_message') or 'no reason given'}"
        return DeliveryStatus(status="undelivered", reason=f"{status}, {why}", provider_status=status)
    if status in TWILIO_PENDING:
        return DeliveryStatus(status="pending", reason=f"Twilio status {status!r}", provider_status=status)
    return DeliveryStatus(status="unknown", reason=f"Twilio status {status!r}", provider_status=status)


def _clickatell(gateway: ClickatellGateway, message_id: str) -> DeliveryStatus:
    url = gateway.url.split("?")[0].rstrip("/").rsplit("/", 1)[0] + "/querymsg"
    response = gateway.request("POST", url, data={**gateway.auth_fields(), "apimsgid": message_id})
    text = response.text.strip()
    if found := _CLICKATELL.match(text):
        code = found.group(2).zfill(3)
        status, meaning = CLICKATELL_STATUS.get(code, ("unknown", "undocumented status"))
        return DeliveryStatus(status=status, reason=f"{meaning} (status {code})", provider_status=code)
    if found := _CLICKATELL_ERR.match(text):
        return DeliveryStatus(status="unknown", reason=f"Clickatell says: {found.group(2).strip()} "
                                                       f"(status {found.group(1)})")
    return DeliveryStatus(status="unknown", reason=f"Clickatell sent an unreadable reply ({excerpt(text) or 'empty'})")


def _bulletin(gateway: BulletinGateway, message_id: str) -> DeliveryStatus:
    url = gateway.url.split("?")[0].rsplit("/", 1)[0] + "/status"  # .../api/3/sms/out -> .../api/3/sms/status
    # Basic auth, as Bulletin Messenger documents beside the form fields: the password stays out of the URL
    # that proxies and servers log.
    auth = (gateway.settings.user_name or "", gateway.settings.password or "")
    others: dict[str, DeliveryStatus] = {}
    for _ in range(BULLETIN_MAX_READS):
        try:
            response = gateway.request("GET", url, auth=auth)
        except GatewayTimeout:  # Bulletin holds a poll open for 30 s when it has no update
            break
        if response.status_code == 204:
            break
        if response.status_code != 200:
            return DeliveryStatus(status="unknown", reason=f"Bulletin.net answered HTTP {response.status_code}",
                                  others=others)
        update = dict(parse_qsl(response.text))
        code = update.get("statusCode", "")
        status, meaning = BULLETIN_STATUS.get(code, ("unknown", "undocumented status"))
        found = DeliveryStatus(status=status, reason=f"{meaning} ({code})", provider_status=code)
        ref = update.get("inReplyToId") or ""
        if ref == message_id:
            return DeliveryStatus(status=status, reason=found.reason, provider_status=code, others=others)
        if ref:
            others[ref] = found
    return DeliveryStatus(status="pending", reason="no status update from Bulletin.net yet", others=others)


# each takes its own gateway class (the key)
_BUILT_IN: dict[type[Gateway], Callable[[Any, str], DeliveryStatus]] = {
    TwilioGateway: _twilio, ClickatellGateway: _clickatell, BulletinGateway: _bulletin}
