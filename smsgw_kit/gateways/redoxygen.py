"""RedOxygen: form POST to `{server}/sms.dll?Action=SendSMS`; the reply's first four characters are a code.

Follows https://www.redoxygen.com/support/wiki/red_api/http (also at
https://redoxygen.com/documentation/red_api/http/): server `https://www2.redoxygen.net` on port 443,
fields AccountId (e.g. `CI00000001`), Email, Password, Recipient (international, comma-separated),
Message (≤ 765 characters). `0000` is success; any other number is an error whose text follows.
RedOxygen publishes no error table, no message id and no way to check credentials without sending, so
`test_credentials` says "unsupported" and a successful send has no message id. The password is a form
field, so the default URL is https.
"""

from __future__ import annotations

from ..phone import PhoneNumber
from .base import GatewayInfo, field_specs
from .gateway import Gateway
from .message import SendResult, ShortMessage
from .replies import excerpt, explain


class RedOxygenGateway(Gateway):
    info = GatewayInfo(
        name="RedOxygen",
        description="RedOxygen SMS gateway",
        default_url="https://www2.redoxygen.net/sms.dll?Action=SendSMS",
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
        if response.status_code != 200:
            return self.rejected(message, None, explain("RedOxygen", response))
        if not (code.isascii() and code.isdigit()):
            return self.unknown(message, f"RedOxygen answered HTTP 200 without a result code "
                                         f"({excerpt(text) or 'empty reply'})")
        if code != "0000":
            return self.rejected(message, code, rest or "error")
        return self.sent(message, None)
