"""Bulletin.net (Bulletin Connect): form POST to `/api/1/sms/out`, 204 on success, no JSON.

Errors come as 400 (reason in a `Status-Line` header or an HTML `<h1>`), 401, 403 and 500.
Credentials are checked by polling the inbound queue, `GET {base}/queue` (a third-party client's
practice; Bulletin documents no balance call): 200 means accepted, 401 refused. The message id is the
`messageId` we send (the reference id, or a fresh UUID when the message has none).
"""

from __future__ import annotations

import re
import uuid

from ..phone import PhoneNumber
from .base import GatewayInfo, field_specs
from .gateway import Gateway
from .message import CheckResult, SendResult, ShortMessage
from .replies import excerpt

STATUS_TEXT = {400: "missing or bad parameters", 401: "invalid user ID or password",
               403: "insufficient funds", 500: "server error"}
_H1 = re.compile(r"<h1>(.*?)</h1>", re.IGNORECASE | re.DOTALL)


def reason(response) -> str:
    """Bulletin's own words for an error reply, or the documented meaning of its status."""
    line = response.headers.get("Status-Line")
    found = _H1.search(response.text or "")
    text = line or (found.group(1).strip() if found else "")
    return text or STATUS_TEXT.get(response.status_code, excerpt(response.text) or "error")


class BulletinGateway(Gateway):
    info = GatewayInfo(
        name="Bulletin.net",
        description="Bulletin Connect SMS API",
        default_url="https://service.bulletinconnect.net/api/1/sms/out",
        fields=field_specs(required=("gateway_url", "user_name", "password"), user_name="User ID"),
    )

    @property
    def queue_url(self) -> str:
        url = self.url.split("?")[0].rstrip("/")
        return (url[: -len("/out")] if url.endswith("/out") else url.rsplit("/", 1)[0]) + "/queue"

    def send_fields(self, message: ShortMessage, phone: PhoneNumber) -> dict[str, str]:
        fields = {
            "userId": self.settings.user_name or "", "password": self.settings.password or "",
            "to": phone.formatted(self.phone_format), "body": message.body,
            "messageId": (message.reference_id or uuid.uuid4().hex)[:36],
        }
        if self.settings.sender_id:
            fields["from"] = self.settings.sender_id
        return fields

    def deliver(self, message: ShortMessage, phone: PhoneNumber) -> SendResult:
        fields = self.send_fields(message, phone)
        response = self.request("POST", self.url, data=fields, sending=True)
        if response.status_code in (200, 202, 204):
            return self.sent(message, fields["messageId"])
        return self.rejected(message, response.status_code, reason(response))

    def check_credentials(self) -> CheckResult:
        params = {"userId": self.settings.user_name, "password": self.settings.password}
        response = self.request("GET", self.queue_url, params=params)
        if response.status_code == 200:
            return CheckResult.ok("Bulletin.net accepted the user ID and password")
        return CheckResult.fail(f"Bulletin.net says: {reason(response)} (status {response.status_code})")
