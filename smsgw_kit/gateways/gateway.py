"""The Gateway base class: what every built-in and custom gateway implements and inherits."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from ..errors import GatewayError
from ..phone import PhoneNumber
from . import http, probes
from .base import GatewayInfo, GatewaySettings, GatewayType
from .message import CheckResult, SendResult, ShortMessage

_PROXY_ATTRS = {
    "proxy_user_name": "user_name", "proxy_password": "password", "proxy_description": "description",
    "proxy_domain": "domain", "proxy_host_name": "host", "proxy_port": "port",
}


class Gateway(GatewayType):
    """Base class for gateways: subclass it, set `info`, implement `deliver` (and `check_credentials`).

    The public methods never raise for a provider's or a network's failure: `send` returns a
    SendResult and the `test_*` methods a CheckResult. They raise InvalidInput (before any network
    traffic) when the settings or the message are not acceptable. Use `self.request(...)` for HTTP
    so the account's proxy, timeouts and TLS trust apply and failures read well.
    """

    info: ClassVar[GatewayInfo]
    # How recipients are written for this provider: "digits" (447079692712) or "e164" (+447079692712).
    phone_format: ClassVar[str] = "digits"

    def __init__(self, settings: GatewaySettings):
        self.settings = settings
        self._client: httpx.Client | None = None
        self._checked: GatewaySettings | None = None
        # Set by a batch (e.g. Bulk Test Connection) so accounts share connections; the batch closes it.
        self.pool: http.ClientPool | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # --- for gateway authors -------------------------------------------------------------------

    def deliver(self, message: ShortMessage, phone: PhoneNumber) -> SendResult:
        """Send `message` to one recipient; return the provider's answer (may raise GatewayError)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement deliver()")

    def check_credentials(self) -> CheckResult:
        """Check the credentials without sending; the default says the provider offers no way to."""
        return CheckResult.unsupported(f"{self.info.name} offers no way to check credentials without sending")

    @property
    def url(self) -> str:
        """The account's gateway URL, or the type's default URL when the account has none."""
        return (self.settings.gateway_url or self.info.default_url).strip()

    @property
    def http(self) -> httpx.Client:
        if self.pool is not None:
            return self.pool.client(self.settings)
        if self._client is None:
            self._client = http.build_client(self.settings)
        return self._client

    def request(self, method: str, url: str, *, sending: bool = False, **kwargs: Any) -> httpx.Response:
        """One HTTP request with the account's settings; raises ProxyFailed/ConnectFailed/GatewayTimeout."""
        return http.request(self.http, self.settings, self.info.name, method, url, sending=sending, **kwargs)

    def sent(self, message: ShortMessage, message_id: str | None) -> SendResult:
        return SendResult(success=True, provider=self.info.name, message_id=message_id,
                          segments=message.sms.segments, message=message)

    def rejected(self, message: ShortMessage, code: object, text: str) -> SendResult:
        code = None if code is None else str(code)
        return SendResult(success=False, provider=self.info.name, error_code=code,
                          error_text=http.redact(text, self.settings), message=message)

    def unknown(self, message: ShortMessage, text: str) -> SendResult:
        """A send whose outcome is unknown (e.g. a malformed 200): reported as possibly sent, never as sent."""
        return SendResult(success=False, provider=self.info.name, error_text=http.redact(text, self.settings),
                          uncertain=True, message=message)

    def setting(self, name: str) -> Any:
        """An account field's value by its form name (proxy fields included)."""
        if name in _PROXY_ATTRS:
            proxy = self.settings.proxy
            return getattr(proxy, _PROXY_ATTRS[name]) if proxy else None
        return self.url if name == "gateway_url" else getattr(self.settings, name)

    def check_settings(self) -> None:
        """Raise InvalidInput naming the first required field that is blank or fixed-format field that is wrong."""
        from ..rules import (  # the one place these field rules live
            check_formats,
            check_required,
        )

        if self._checked == self.settings:  # settings are frozen: every stage of one test checks them once
            return
        values = {name: self.setting(name) for name in self.info.fields}
        check_required(self.info, values)
        check_formats(self.info, values)
        if self.url:
            probes.target(self)
        self._checked = self.settings

    # --- what callers use ----------------------------------------------------------------------

    def send(self, message: ShortMessage) -> SendResult:
        """Send `message` to each recipient; stop at the first failure and return what happened."""
        self.check_settings()
        phones = message.validate()
        ids = []
        for phone in phones:
            try:
                result = self.deliver(message, phone)
            except GatewayError as exc:
                result = SendResult(success=False, provider=self.info.name,
                                    error_text=http.redact(str(exc), self.settings), message=message,
                                    uncertain=getattr(exc, "may_have_been_sent", False))
            if not result.success:
                return result
            ids.append(result.message_id)
        joined = ",".join(i for i in ids if i) or None
        return self.sent(message, joined)

    def test_credentials(self) -> CheckResult:
        """passed / failed with the provider's reason / unsupported, without sending a message."""
        self.check_settings()
        try:
            return self.check_credentials()
        except GatewayError as exc:
            return CheckResult.fail(http.redact(str(exc), self.settings))

    def test_connection(self) -> CheckResult:
        """Can DNS, TCP and TLS reach the provider (through the proxy when one is set)."""
        self.check_settings()
        return probes.connection(self)

    def test_proxy(self) -> CheckResult:
        """Does the proxy answer and accept its credentials; passed when no proxy is configured."""
        self.check_settings()
        return probes.proxy(self)
