"""Bulletin.net (Bulletin Messenger API): form POST to `/api/3/sms/out`, 204 on success, no JSON.

Follows the developer guide https://docs.bulletin.net/developer-guide/ and its pages
https://docs.bulletin.net/subjects/api-sending/ (send: userId, password, to, body, from — `from` only
from API version 3, so the default URL names `/api/3/` — messageId ≤ 36 characters, and
`contentType=text/plain; charset=UTF-16` for text outside the GSM alphabet) and
https://docs.bulletin.net/subjects/api-message-rss/ (`/api/2/sms/list`, the recent-messages feed).

Errors come as 400 (reason in a `Status-Line` header or an HTML `<h1>`), 401, 403 and 500.
Credentials are checked with the recent-messages feed, `GET {origin}/api/2/sms/list?size=1`, which
needs valid credentials, sends nothing and marks nothing read (unlike the `/sms/in` and `/sms/status`
polls, which consume what they return). Credentials go in the Basic Authorization header there, as
the guide allows, so the password is never part of a URL. The guide does not say the body is
encoded differently with UTF-16: it is sent as the form's (UTF-8) text, with the contentType set.
The message id is the `messageId` we send (the reference id, or a fresh UUID).
"""

from __future__ import annotations

import re
import uuid

import httpx

from ..errors import InvalidInput
from ..phone import PhoneNumber
from ..text import UCS2
from .base import GatewayInfo, field_specs
from .gateway import Gateway
from .http import origin
from .message import CheckResult, SendResult, ShortMessage
from .replies import excerpt, explain

STATUS_TEXT = {400: "missing or bad parameters", 401: "invalid user ID or password",
               403: "insufficient funds", 500: "server error"}
UTF16 = "text/plain; charset=UTF-16"
_H1 = re.compile(r"<h1>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_VERSION = re.compile(r"/api/(\d+)/")


def reason(response: httpx.Response) -> str:
    """Bulletin's own words for an error reply, or the documented meaning of its status."""
    line = response.headers.get("Status-Line")
    found = _H1.search(response.text or "")
    text = line or (found.group(1).strip() if found else "")
    return text or STATUS_TEXT.get(response.status_code, "")


class BulletinGateway(Gateway):
    info = GatewayInfo(
        name="Bulletin.net",
        description="Bulletin Messenger SMS API",
        default_url="https://www.bulletinmessenger.net/api/3/sms/out",
        fields=field_specs(required=("gateway_url", "user_name", "password"), user_name="User ID"),
    )

    @property
    def list_url(self) -> str:
        url = self.url.split("?")[0]
        base = url[: url.index("/api/")] if "/api/" in url else origin(url)
        return f"{base}/api/2/sms/list"

    def check_settings(self) -> None:
        super().check_settings()
        found = _VERSION.search(self.url)
        if self.settings.sender_id and found and int(found.group(1)) < 3:
            raise InvalidInput("sender_id", f"Bulletin.net accepts `from` only from API version 3, and the "
                                            f"Gateway URL names /api/{found.group(1)}/",
                               allowed="an empty Sender ID, or a Gateway URL with /api/3/")

    def send_fields(self, message: ShortMessage, phone: PhoneNumber) -> dict[str, str]:
        fields = {
            "userId": self.settings.user_name or "", "password": self.settings.password or "",
            "to": phone.formatted(self.phone_format), "body": message.body,
            "messageId": (message.reference_id or uuid.uuid4().hex)[:36],
        }
        if self.settings.sender_id:
            fields["from"] = self.settings.sender_id
        if message.sms.encoding == UCS2:
            fields["contentType"] = UTF16
        return fields

    def deliver(self, message: ShortMessage, phone: PhoneNumber) -> SendResult:
        fields = self.send_fields(message, phone)
        response = self.request("POST", self.url, data=fields, sending=True)
        if response.status_code == 204 or (200 <= response.status_code < 300 and not response.content.strip()):
            return self.sent(message, fields["messageId"])
        if 200 <= response.status_code < 300:  # the guide documents 204 with no content, nothing else
            return self.unknown(message, f"Bulletin.net answered HTTP {response.status_code} with a reply "
                                         f"its guide does not document ({excerpt(response.text)})")
        own = reason(response)
        if own and response.status_code in STATUS_TEXT:
            return self.rejected(message, response.status_code, own)
        return self.rejected(message, None, explain("Bulletin.net", response, own or None))

    def check_credentials(self) -> CheckResult:
        auth = (self.settings.user_name or "", self.settings.password or "")
        response = self.request("GET", self.list_url, params={"size": "1"}, auth=auth)
        if response.status_code == 200:
            return CheckResult.ok("Bulletin.net accepted the user ID and password")
        own = reason(response)
        if own and response.status_code in STATUS_TEXT:
            return CheckResult.fail(f"Bulletin.net says: {own} (status {response.status_code})")
        return CheckResult.fail(explain("Bulletin.net", response, own or None))
