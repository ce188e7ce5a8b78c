"""Twilio Programmable Messaging: form POST to `{base}/Accounts/{AccountSid}/Messages.json`, Basic auth.

Follows https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource and the
official OpenAPI description (github.com/twilio/twilio-oai, spec/json/twilio_api_v2010.json), whose
AccountSid pattern is `^AC[0-9a-fA-F]{32}$`; errors per https://www.twilio.com/docs/api/errors.
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
from .replies import excerpt, explain, json_or_none

MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
ACCOUNT_SID = (r"AC[0-9a-fA-F]{32}", "AC followed by 32 hexadecimal characters (Twilio's Account SID)")


class TwilioGateway(Gateway):
    info = GatewayInfo(
        name="Twilio",
        description="Twilio Programmable Messaging",
        default_url="https://api.twilio.com/2010-04-01",
        fields=field_specs(
            required=("gateway_url", "account_id", "password", "sender_id"),
            account_id="Account SID", password="Auth Token",
            sender_id="From (number or Messaging Service SID)", user_name="User Name (unused)",
            formats={"account_id": ACCOUNT_SID},
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
        body = body if isinstance(body, dict) else {}
        if response.status_code in (200, 201):
            if body.get("sid"):
                return self.sent(message, body["sid"])
            return self.unknown(message, f"Twilio answered HTTP {response.status_code} without a message SID "
                                         f"({excerpt(response.text) or 'empty reply'})")
        if body.get("code") and body.get("message"):
            return self.rejected(message, body["code"], body["message"])
        return self.rejected(message, None, explain("Twilio", response, body.get("message")))

    def check_credentials(self) -> CheckResult:
        url = f"{self.base}/Accounts/{self.settings.account_id}.json"
        response = self.request("GET", url, auth=self.auth)
        body = json_or_none(response)
        body = body if isinstance(body, dict) else {}
        if response.status_code != 200:
            if body.get("code") and body.get("message"):
                return CheckResult.fail(f"Twilio says: {body['message']} (status {body['code']})")
            return CheckResult.fail(explain("Twilio", response, body.get("message")))
        status = body.get("status")
        if status is None:
            return CheckResult.fail(f"Twilio answered HTTP 200 without the account's status "
                                    f"({excerpt(response.text) or 'empty reply'})")
        if status != "active":
            return CheckResult.fail(f"Twilio says: the account is {status}")
        return CheckResult.ok(f"Twilio accepted the Account SID and Auth Token (account {status})")
