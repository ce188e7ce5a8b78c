"""Generic HTTP gateway: any provider with a plain HTTP API, configured through options, not code.

GET or POST; form or JSON body; custom headers; `{phone}`, `{message}`, `{user_name}`, `{password}`,
`{account_id}`, `{sender_id}`, `{reference_id}` placeholders in the URL, the fields and the headers;
success by status code range and/or by a pattern in the reply; the message id by a pattern's group.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from ..errors import InvalidInput
from ..phone import PhoneNumber
from .base import GatewayInfo, OptionSpec, field_specs
from .gateway import Gateway
from .message import CheckResult, SendResult, ShortMessage
from .replies import excerpt, malformed, status_meaning

PLACEHOLDERS = ("phone", "message", "user_name", "password", "account_id", "sender_id", "reference_id")
OPTIONS = (
    OptionSpec(name="method", label="HTTP method", kind="choice", default="POST", choices=("POST", "GET")),
    OptionSpec(name="body_format", label="Body format", kind="choice", default="form", choices=("form", "json"),
               help="How POST fields are encoded; GET always sends them in the query string."),
    OptionSpec(name="params", label="Fields", kind="mapping", default={"to": "{phone}", "text": "{message}"},
               help="Field name → template, e.g. to = {phone}."),
    OptionSpec(name="headers", label="Headers", kind="mapping", default={},
               help="Header name → template, e.g. Authorization = Bearer {password}."),
    OptionSpec(name="secret_headers", label="Secret headers", kind="mapping", default={}, secret=True,
               help="Like Headers, for values that are secrets (e.g. X-Api-Key = a token): encrypted at rest."),
    OptionSpec(name="secret_params", label="Secret fields", kind="mapping", default={}, secret=True,
               help="Like Fields, for values that are secrets (e.g. api_token = a token): encrypted at rest."),
    OptionSpec(name="success_status", label="Success status codes", default="200-299",
               help="Ranges or codes, e.g. 200-299 or 200,202."),
    OptionSpec(name="success_pattern", label="Success pattern", default="",
               help="A regular expression the reply must contain to count as sent (empty: any)."),
    OptionSpec(name="message_id_pattern", label="Message id pattern", default="",
               help="A regular expression whose first group is the provider's message id."),
    OptionSpec(name="phone_format", label="Phone format", kind="choice", default="digits",
               choices=("digits", "e164"), help="digits: 447079692712, e164: +447079692712."),
    OptionSpec(name="credentials_url", label="Credentials check URL", default="",
               help="A URL answering 2xx for good credentials (same headers); empty: unsupported."),
)


def parse_statuses(spec: str) -> list[range]:
    """'200-299,302' → [range(200, 300), range(302, 303)]; raises InvalidInput when malformed."""
    ranges = []
    for part in str(spec).replace(" ", "").split(","):
        low, _, high = part.partition("-")
        if not (low.isdigit() and (not high or high.isdigit())):
            raise InvalidInput("options.success_status", f"{spec!r} is not a list of status codes",
                               allowed="codes or ranges like 200-299,302")
        ranges.append(range(int(low), int(high or low) + 1))
    return ranges


class GenericHttpGateway(Gateway):
    info = GatewayInfo(
        name="Generic HTTP",
        description="Any HTTP SMS API, configured without code (method, fields, headers, success rule)",
        default_url="",
        fields=field_specs(required=("gateway_url",)),
        options=OPTIONS,
    )

    def option(self, name: str) -> Any:
        spec = next(o for o in OPTIONS if o.name == name)
        value = (self.settings.secret_options if spec.secret else self.settings.options).get(name)
        return spec.default if value is None or value == "" else value

    def check_settings(self) -> None:
        super().check_settings()
        for spec in OPTIONS:
            value = self.option(spec.name)
            if spec.kind == "choice" and value not in spec.choices:
                raise InvalidInput(f"options.{spec.name}", f"{value!r} is not allowed",
                                   allowed="one of " + ", ".join(spec.choices))
            if spec.kind == "mapping" and not isinstance(value, Mapping):
                raise InvalidInput(f"options.{spec.name}", "must be a mapping of names to templates",
                                   allowed="name = template lines, e.g. to = {phone}")
            if spec.kind == "text" and not isinstance(value, str):
                raise InvalidInput(f"options.{spec.name}", f"must be text, not {type(value).__name__}",
                                   allowed=spec.help or "text")
        for name in ("success_pattern", "message_id_pattern"):
            try:
                re.compile(self.option(name))
            except (re.error, RecursionError, OverflowError) as exc:
                raise InvalidInput(f"options.{name}", f"not a regular expression ({exc})",
                                   allowed="a Python regular expression") from None
        parse_statuses(self.option("success_status"))

    def values(self, message: ShortMessage | None = None, phone: PhoneNumber | None = None) -> dict[str, str]:
        s = self.settings
        return {
            "phone": phone.formatted(self.option("phone_format")) if phone else "",
            "message": message.body if message else "", "reference_id": (message and message.reference_id) or "",
            "user_name": s.user_name or "", "password": s.password or "",
            "account_id": s.account_id or "", "sender_id": s.sender_id or "",
        }

    def fill(self, where: str, template: str, values: Mapping[str, str]) -> str:
        try:
            return str(template).format_map(values)
        except (KeyError, IndexError, ValueError) as exc:
            shown = "(secret)" if where.startswith("options.secret_") else repr(template)
            raise InvalidInput(where, f"template {shown} has an unknown or broken placeholder"
                               f"{'' if shown == '(secret)' else f' ({exc})'}",
                               allowed=", ".join(f"{{{p}}}" for p in PLACEHOLDERS)) from None

    def build(self, url: str, values: Mapping[str, str], fields: Mapping[str, str]) -> dict[str, Any]:
        quoted = {k: quote(v, safe="") for k, v in values.items()}
        request: dict[str, Any] = {
            "url": self.fill("gateway_url", url, quoted),
            "headers": {k: self.fill(f"options.{opt}", v, values)
                        for opt in ("headers", "secret_headers") for k, v in self.option(opt).items()},
        }
        filled = {k: self.fill(f"options.{opt}", v, values)
                  for opt, given in (("params", fields), ("secret_params", self.option("secret_params")))
                  for k, v in given.items()}
        method = self.option("method")
        if method == "GET":  # merged, so a query already in the URL survives
            request["url"] = str(httpx.URL(request["url"]).copy_merge_params(filled))
        elif self.option("body_format") == "json":
            request["json"] = filled
        else:
            request["data"] = filled
        return {"method": method, **request}

    def deliver(self, message: ShortMessage, phone: PhoneNumber) -> SendResult:
        request = self.build(self.url, self.values(message, phone), self.option("params"))
        response = self.request(request.pop("method"), request.pop("url"), sending=True, **request)
        text = response.text
        if not any(response.status_code in r for r in parse_statuses(self.option("success_status"))):
            return self.rejected(message, None, f"{self.info.name} refused the message (HTTP {response.status_code}, "
                                                f"{status_meaning(response.status_code)}: {excerpt(text) or 'empty reply'})")
        pattern, id_pattern = self.option("success_pattern"), self.option("message_id_pattern")
        found = re.search(id_pattern, text) if id_pattern else None
        # A success status whose body lacks what the account says a success carries is no proof of a send,
        # nor of a refusal: the outcome is unknown.
        if (pattern and not re.search(pattern, text)) or malformed(response):
            return self.unknown(message, f"{self.info.name} answered HTTP {response.status_code} without the "
                                         f"success pattern ({excerpt(text) or 'empty reply'})")
        return self.sent(message, found.group(1) if found and found.groups() else None)

    def check_credentials(self) -> CheckResult:
        url = self.option("credentials_url")
        if not url:
            return CheckResult.unsupported("no credentials check URL is configured (options.credentials_url)")
        request = self.build(url, self.values(), {})
        response = self.request("GET", request["url"], headers=request["headers"])
        if 200 <= response.status_code < 300:
            return CheckResult.ok(f"the provider accepted the credentials (HTTP {response.status_code})")
        return CheckResult.fail(f"the provider refused the credentials (HTTP {response.status_code}: "
                                f"{excerpt(response.text) or 'empty reply'})")
