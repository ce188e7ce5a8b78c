"""Nexmo (Vonage SMS API): form POST to `/sms/json`, credentials checked with `/account/get-balance`.

Follows https://developer.vonage.com/en/api/sms (send) and https://developer.vonage.com/en/api/account
(balance), i.e. the official OpenAPI descriptions github.com/Nexmo/api-specification
`definitions/sms.yml` and `definitions/account.yml`: `type=unicode` for text outside GSM-7, and an
api_key of at most 8 characters (sms.yml says minLength and maxLength 8; only the maximum is enforced
before traffic, so a shorter key gets Nexmo's own answer rather than ours).

The reply is HTTP 200 even for errors; each message part carries its own `status` ("0" is success).
The balance URL is derived from the send URL: `{base}/sms/json` becomes `{base}/account/get-balance`.
"""

from __future__ import annotations

from ..phone import PhoneNumber
from ..text import UCS2
from .base import GatewayInfo, field_specs
from .gateway import Gateway
from .message import CheckResult, SendResult, ShortMessage
from .replies import excerpt, explain, json_or_none

STATUS_TEXT = {
    "1": "throttled", "2": "missing parameters", "3": "invalid parameters", "4": "invalid credentials",
    "5": "internal error", "6": "unroutable message", "7": "number barred", "8": "partner account barred",
    "9": "partner quota exceeded (no credit)", "11": "account not enabled for HTTP",
    "12": "message too long", "14": "invalid signature", "15": "invalid sender address",
    "29": "non-whitelisted destination", "33": "number deactivated",
}


class NexmoGateway(Gateway):
    info = GatewayInfo(
        name="Nexmo",
        description="Vonage (Nexmo) SMS API",
        default_url="https://rest.nexmo.com/sms/json",
        fields=field_specs(
            required=("gateway_url", "user_name", "password", "sender_id"),
            user_name="API Key", password="API Secret",
            formats={"user_name": (r".{1,8}", "at most 8 characters (Vonage's API key)")},
        ),
    )

    @property
    def balance_url(self) -> str:
        url = self.url.split("?")[0].rstrip("/")
        base = url[: -len("/sms/json")] if url.endswith("/sms/json") else url.rsplit("/", 2)[0]
        return f"{base}/account/get-balance"

    def send_fields(self, message: ShortMessage, phone: PhoneNumber) -> dict[str, str]:
        fields = {
            "api_key": self.settings.user_name or "", "api_secret": self.settings.password or "",
            "from": self.settings.sender_id or "", "to": phone.formatted(self.phone_format),
            "text": message.body, "type": "unicode" if message.sms.encoding == UCS2 else "text",
        }
        if message.reference_id:
            fields["client-ref"] = message.reference_id[:40]
        return fields

    def deliver(self, message: ShortMessage, phone: PhoneNumber) -> SendResult:
        response = self.request("POST", self.url, data=self.send_fields(message, phone), sending=True)
        body = json_or_none(response)
        parts = body.get("messages") if isinstance(body, dict) else None
        if response.status_code != 200 and not parts:
            return self.rejected(message, None, explain("Nexmo", response))
        if not parts or not all(isinstance(p, dict) and "status" in p for p in parts):
            # HTTP 200 without readable parts: the message may well have been accepted.
            return self.unknown(message, f"Nexmo answered HTTP {response.status_code} with an unreadable reply "
                                         f"({excerpt(response.text) or 'empty reply'})")
        for part in parts:
            status = str(part.get("status", ""))
            if status != "0":
                return self.rejected(message, status, part.get("error-text") or STATUS_TEXT.get(status, "error"))
        return self.sent(message, parts[0].get("message-id"))

    def check_credentials(self) -> CheckResult:
        params = {"api_key": self.settings.user_name, "api_secret": self.settings.password}
        response = self.request("GET", self.balance_url, params=params)
        body = json_or_none(response)
        if response.status_code == 200 and isinstance(body, dict) and "value" in body:
            return CheckResult.ok(f"Nexmo accepted the API key (balance {body['value']})")
        if isinstance(body, dict) and "error-code" in body:
            label = body.get("error-code-label") or "error"
            return CheckResult.fail(f"Nexmo says: {label} (status {body['error-code']})")
        if response.status_code != 200:
            return CheckResult.fail(explain("Nexmo", response))
        return CheckResult.fail(f"Nexmo answered the balance check without a balance "
                                f"({excerpt(response.text) or 'empty reply'})")
