"""Clickatell's legacy HTTP API (GroupID's custom-gateway example): `/http/sendmsg`, plain-text replies.

Follows the archived HTTP API pages:
https://docs.clickatell.com/archive/channels/sms-http-s-api-archived/http-api-send-message/ (send),
https://docs.clickatell.com/archive/channels/sms-http-s-api-archived/http-api-retrieve-account-balance/
(credentials), and the HTTP API specification's "Unicode (unicode)" parameter.

Success is `ID: <apimsgid>`, failure `ERR: <code>, <description>`. Credentials are checked with
`/http/getbalance` (same folder as the send URL), which answers `Credits: <balance>` or an `ERR:` line.
Text outside GSM-7 goes with `unicode=1` and `text` as hex-encoded UCS-2 (UTF-16BE): "Привет" is
`041F04400438043204350442`.
"""

from __future__ import annotations

import re

from ..phone import PhoneNumber
from ..text import UCS2
from .base import GatewayInfo, field_specs
from .gateway import Gateway
from .message import CheckResult, SendResult, ShortMessage
from .replies import excerpt, explain

_ERR = re.compile(r"ERR:\s*(\d+)\s*,?\s*(.*)", re.DOTALL)
_ID = re.compile(r"ID:\s*(\S+)")
_CREDITS = re.compile(r"Credits:\s*(\S+)")


def ucs2_hex(text: str) -> str:
    """`text` as Clickatell's unicode=1 wants it: UTF-16BE bytes in upper-case hex."""
    return text.encode("utf-16-be").hex().upper()


class ClickatellGateway(Gateway):
    info = GatewayInfo(
        name="Clickatell",
        description="Clickatell HTTP API (api_id, user and password)",
        default_url="https://api.clickatell.com/http/sendmsg",
        fields=field_specs(
            required=("gateway_url", "account_id", "user_name", "password"), account_id="API ID",
        ),
    )

    @property
    def balance_url(self) -> str:
        return self.url.split("?")[0].rstrip("/").rsplit("/", 1)[0] + "/getbalance"

    def auth_fields(self) -> dict[str, str]:
        return {"user": self.settings.user_name or "", "password": self.settings.password or "",
                "api_id": self.settings.account_id or ""}

    def send_fields(self, message: ShortMessage, phone: PhoneNumber) -> dict[str, str]:
        fields = {**self.auth_fields(), "to": phone.formatted(self.phone_format), "text": message.body}
        if self.settings.sender_id:
            fields["from"] = self.settings.sender_id
        if message.sms.encoding == UCS2:
            fields.update(text=ucs2_hex(message.body), unicode="1")
        return fields

    def deliver(self, message: ShortMessage, phone: PhoneNumber) -> SendResult:
        response = self.request("POST", self.url.split("?")[0], data=self.send_fields(message, phone),
                                sending=True)
        text = response.text.strip()
        if found := _ERR.match(text):
            return self.rejected(message, found.group(1), found.group(2).strip() or "error")
        if response.status_code != 200:
            return self.rejected(message, None, explain("Clickatell", response))
        if found := _ID.match(text):
            return self.sent(message, found.group(1))
        return self.unknown(message, f"Clickatell answered HTTP 200 without an ID or ERR line "
                                     f"({excerpt(text) or 'empty reply'})")

    def check_credentials(self) -> CheckResult:
        response = self.request("POST", self.balance_url, data=self.auth_fields())
        text = response.text.strip()
        if found := _ERR.match(text):
            return CheckResult.fail(f"Clickatell says: {found.group(2).strip()} (status {found.group(1)})")
        if response.status_code == 200 and (found := _CREDITS.match(text)):
            return CheckResult.ok(f"Clickatell accepted the credentials ({found.group(1)} credits)")
        if response.status_code != 200:
            return CheckResult.fail(explain("Clickatell", response))
        return CheckResult.fail(f"Clickatell answered the balance check with a reply its HTTP API does not "
                                f"document ({excerpt(text) or 'empty reply'})")
