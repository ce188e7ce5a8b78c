"""Twilio Programmable Messaging: form POST to `{base}/Accounts/{AccountSid}/Messages.json`, Basic auth.

The gateway URL is the API's versioned base (`https://api.twilio.com/2010-04-01`); credentials are
checked with `GET {base}/Accounts/{AccountSid}.json`. A sender that looks like a Messaging Service
SID (`MG` + 32 hex) is sent as `MessagingServiceSid`, anything else as `From`.
"""

from __future__ import annotations

import re

from ..phone import PhoneNumber
from .base import GatewayInfo, field_specs
from .gateway import Gateway
from .message import CheckResult, SendResult, ShortMessage
from .replies import excerpt, json_or_none

MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")


class TwilioGateway(Gateway):
    info = GatewayInfo(
        name="Twilio",
        description="Twilio Programmable Messaging",
        default_url="https://api.twilio.com/2010-04-01",
        fields=field_specs(
            required=("gateway_url", "account_id", "password", "sender_id"),
            account_id="Account SID", password="Auth Token",
            sender_id="From (number or Messaging Service SID)", user_name="User Name (unused)",
        ),
    )
    phone_format = "e164"

    @property
    def base(self) -> str:
        return self.url.split("?")[0].rstrip("/")

    @property
    def auth(self) -> tuple[str, str]:
        return (self.settings.account_id or "", self.settings.password or "")

    def messages_url(self) -> str:
        return f"{self.base}/Accounts/{self.settings.account_id}/Messages.json"

    def send_fields(self, message: ShortMessage, phone: PhoneNumber) -> dict[str, str]:
        sender = self.settings.sender_id or ""
        key = "MessagingServiceSid" if MESSAGING_SERVICE_SID.match(sender) else "From"
        return {"To": phone.formatted(self.phone_format), key: sender, "Body": message.body}

    def deliver(self, message: ShortMessage, phone: PhoneNumber) -> SendResult:
        response = self.request("POST", self.messages_url(), data=self.send_fields(message, phone),
                                auth=self.auth, sending=True)
        body = json_or_none(response)
        if not isinstance(body, dict):
            return self.rejected(message, None, f"Twilio sent an unreadable reply (HTTP {response.status_code}: "
                                                f"{excerpt(response.text)})")
        if response.status_code in (200, 201) and body.get("sid"):
            return self.sent(message, body["sid"])
        return self.rejected(message, body.get("code") or response.status_code,
                             body.get("message") or f"HTTP {response.status_code}")

    def check_credentials(self) -> CheckResult:
        url = f"{self.base}/Accounts/{self.settings.account_id}.json"
        response = self.request("GET", url, auth=self.auth)
        body = json_or_none(response)
        if not isinstance(body, dict):
            return CheckResult.fail(f"Twilio sent an unreadable reply (HTTP {response.status_code})")
        if response.status_code != 200:
            return CheckResult.fail(f"Twilio says: {body.get('message', 'error')} "
                                    f"(status {body.get('code', response.status_code)})")
        status = body.get("status")
        if status != "active":
            return CheckResult.fail(f"Twilio says: the account is {status}")
        return CheckResult.ok(f"Twilio accepted the Account SID and Auth Token (account {status})")
