"""What goes into a gateway and what comes out: ShortMessage, SendResult and CheckResult."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Literal

from ..errors import InvalidInput
from ..phone import PhoneNumber, parse_phone
from ..text import SmsText, analyse

CODE_PLACEHOLDER = "[Code]"
MAY_HAVE_BEEN_SENT = "the message may have been sent, check before sending again"
Outcome = Literal["passed", "failed", "unsupported"]


@dataclass(frozen=True, kw_only=True)
class ShortMessage:
    """GroupID's ShortMessage: the code, the text around it, the recipients, a reference, a limit."""

    message: str
    recipients: tuple[str, ...]
    access_code: str = ""
    reference_id: str | None = None
    max_length: int = 160

    def __post_init__(self) -> None:
        if isinstance(self.recipients, str):
            object.__setattr__(self, "recipients", (self.recipients,))
        elif isinstance(self.recipients, Iterable):
            object.__setattr__(self, "recipients", tuple(self.recipients))

    @functools.cached_property  # the fields are frozen: computed once per message
    def body(self) -> str:
        """The text sent: the message with `[Code]` replaced by the access code (or the code appended)."""
        if CODE_PLACEHOLDER in self.message:
            return self.message.replace(CODE_PLACEHOLDER, self.access_code)
        return f"{self.message} {self.access_code}".strip()

    @functools.cached_property
    def sms(self) -> SmsText:
        """The body's encoding (GSM-7 or UCS-2) and the number of segments it is billed as."""
        return analyse(self.body)

    def phone_numbers(self) -> tuple[PhoneNumber, ...]:
        """The recipients parsed; raises InvalidInput naming the first invalid one."""
        return tuple(parse_phone(r, field="recipients") for r in self.recipients)

    def validate(self) -> tuple[PhoneNumber, ...]:
        """Check text and recipients (GroupID's Validate) and return the parsed recipients."""
        self.check_text()
        return self.phone_numbers()

    def check_text(self) -> None:
        """Validate's checks of the text and that there is a recipient, for callers holding parsed numbers."""
        body = self.body
        if not body.strip():
            raise InvalidInput("message", "the message is empty", allowed=f"1 to {self.max_length} characters")
        if len(body) > self.max_length:
            raise InvalidInput("message", f"the message is {len(body)} characters long",
                               allowed=f"at most {self.max_length} characters (max_length)")
        if not self.recipients:
            raise InvalidInput("recipients", "no phone number given", allowed="one or more phone numbers")


@dataclass(frozen=True, kw_only=True)
class SendResult:
    """The outcome of one send: success and the provider's message id, or its own error code and text."""

    success: bool
    provider: str
    message_id: str | None = None
    error_code: str | None = None
    error_text: str | None = None
    segments: int | None = None
    # True when the outcome is unknown (a malformed reply, or no reply after the request was written):
    # the message may have gone out, so it must not be sent again blindly.
    uncertain: bool = False
    message: ShortMessage | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        # `uncertain` shows only when set, so the usual repr stays what notebooks and logs already show.
        shown = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                 if f.repr and (f.name != "uncertain" or self.uncertain)]
        return f"SendResult({', '.join(shown)})"

    @property
    def error(self) -> str | None:
        """The failure in the operator's words, e.g. "Nexmo says: invalid credentials (status 4)"."""
        if self.success:
            return None
        text = (f"{self.provider} says: {self.error_text} (status {self.error_code})" if self.error_code
                else self.error_text or "")
        if self.uncertain and MAY_HAVE_BEEN_SENT not in text:
            text = f"{text}; {MAY_HAVE_BEEN_SENT}" if text else MAY_HAVE_BEEN_SENT
        return text or None


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """The answer of a test: passed, failed (with the reason) or unsupported by this gateway type."""

    outcome: Outcome
    reason: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in ("passed", "failed", "unsupported"):
            raise InvalidInput("outcome", f"{self.outcome!r} is not an outcome",
                               allowed="passed, failed or unsupported")

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    @classmethod
    def ok(cls, reason: str = "") -> CheckResult:
        return cls(outcome="passed", reason=reason)

    @classmethod
    def fail(cls, reason: str) -> CheckResult:
        return cls(outcome="failed", reason=reason)

    @classmethod
    def unsupported(cls, reason: str) -> CheckResult:
        return cls(outcome="unsupported", reason=reason)
