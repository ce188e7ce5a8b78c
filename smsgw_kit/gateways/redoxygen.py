"""RedOxygen: form POST to `{server}/sms.dll?Action=SendSMS`; the reply's first four characters are a code.

`0000` is success; any other number is an error whose text follows. RedOxygen publishes no error
table, no message id and no way to check credentials without sending, so `test_credentials` says
"unsupported" and a successful send has no message id.
"""

from __future__ import annotations

from ..phone import PhoneNumber
from .base import GatewayInfo, field_specs
from .gateway import Gateway
from .message import SendResult, ShortMessage
from .replies import excerpt


class RedOxygenGateway(Gateway):
    info = GatewayInfo(
        name="RedOxygen",
        description="RedOxygen SMS gateway",
        default_url="http://www.redoxygen.net/sms.dll?Action=SendSMS",
        fields=field_specs(
            required=("gateway_url", "account_id", "user_name", "password"), user_name="Email",
        ),
    )

    def send_fields(self, message: ShortMessage, phone: PhoneNumber) -> dict[str, str]:
        return {
            "AccountId": self.settings.account_id or "", "Email": self.settings.user_name or "",
            "Password": self.settings.password or "", "Recipient": phone.formatted(self.phone_format),
            "Message": message.body,
        }

    def deliver(self, message: ShortMessage, phone: PhoneNumber) -> SendResult:
        response = self.request("POST", self.url, data=self.send_fields(message, phone), sending=True)
        text = response.text.strip()
        code, rest = text[:4], text[4:].strip()
        if not code.isdigit():
            return self.rejected(message, None, f"RedOxygen sent an unreadable reply (HTTP "
                                                f"{response.status_code}: {excerpt(text) or 'empty'})")
        if code != "0000":
            return self.rejected(message, code, rest or "error")
        return self.sent(message, None)
