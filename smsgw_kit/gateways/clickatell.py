"""Clickatell (legacy HTTP API, GroupID's custom-gateway example): `/http/sendmsg`, plain-text replies.

Success is `ID: <id>`, failure `ERR: <code>, <text>`. Credentials are checked with `/http/getbalance`
(same folder as the send URL), which answers `Credit: <amount>` or an `ERR:` line.
"""

from __future__ import annotations

import re

from ..phone import PhoneNumber
from .base import GatewayInfo, field_specs
from .gateway import Gateway
from .message import CheckResult, SendResult, ShortMessage
from .replies import excerpt

_ERR = re.compile(r"ERR:\s*(\d+)\s*,?\s*(.*)", re.DOTALL)
_ID = re.compile(r"ID:\s*(\S+)")
_CREDIT = re.compile(r"Credit:\s*(\S+)")


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
        if message.sms.encoding == "UCS-2":
            fields["unicode"] = "1"
        return fields

    def deliver(self, message: ShortMessage, phone: PhoneNumber) -> SendResult:
        response = self.request("POST", self.url.split("?")[0], data=self.send_fields(message, phone),
                                sending=True)
        text = response.text.strip()
        if found := _ID.match(text):
            return self.sent(message, found.group(1))
        if found := _ERR.match(text):
            return self.rejected(message, found.group(1), found.group(2).strip() or "error")
        return self.rejected(message, None, f"Clickatell sent an unreadable reply (HTTP {response.status_code}: "
                                            f"{excerpt(text) or 'empty'})")

    def check_credentials(self) -> CheckResult:
        response = self.request("POST", self.balance_url, data=self.auth_fields())
        text = response.text.strip()
        if found := _CREDIT.match(text):
            return CheckResult.ok(f"Clickatell accepted the credentials (credit {found.group(1)})")
        if found := _ERR.match(text):
            return CheckResult.fail(f"Clickatell says: {found.group(2).strip()} (status {found.group(1)})")
        return CheckResult.fail(f"Clickatell sent an unexpected reply (HTTP {response.status_code})")
