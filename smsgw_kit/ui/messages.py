"""How service errors read on the page: one sentence per error, with the field's own label."""

from __future__ import annotations

import html

from ..errors import InvalidInput


def error_text(exc: Exception, label: str | None = None) -> str:
    """The operator's sentence for `exc`; InvalidInput reads '<Label> is empty (1 to 128 characters)'."""
    if not isinstance(exc, InvalidInput):
        return str(exc)
    problem = exc.problem
    if label and problem.split(" ", 1)[0] in ("is", "must", "contains", "expands", "cannot"):
        text = f"{label} {problem}"
    else:
        text = problem[:1].upper() + problem[1:]
    if exc.allowed:
        text += f" ({exc.allowed})"
    return text


def error_html(text: str) -> str:
    return f'<span class="smsgw-error-text">{html.escape(text)}</span>' if text else ""


def notice_html(text: str, kind: str = "info") -> str:
    """A one-line notice: kind is info, success, warning or error."""
    return f'<div class="smsgw-notice smsgw-{kind}">{html.escape(text)}</div>' if text else ""


# Shown (and the buttons disabled) when the admin has no key: GatewayAdmin.can_use_secrets is False.
KEY_NEEDED = ("Read-only: this connection has no encryption key. Lists, history and the audit trail are "
              "open; testing accounts and saving passwords need the key.")


def can_use_secrets(admin: object) -> bool:
    return bool(getattr(admin, "can_use_secrets", True))
