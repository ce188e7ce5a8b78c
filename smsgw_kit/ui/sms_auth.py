"""A store's SMS Authentication settings: its gateway account, its text message and the live segment count."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..errors import SmsgwError
from ..models import IdentityStorePublic
from ..text import analyse
from .base import Composite, button
from .fields import Field
from .messages import error_text, notice_html

NO_ACCOUNT = "(no SMS gateway account)"


def segment_text(text: str) -> str:
    """'GSM-7 · 34 characters · 1 SMS segment' (counted by smsgw_kit.text)."""
    sms = analyse(text)
    unit = "characters" if sms.encoding == "GSM-7" else "UTF-16 units"
    plural = "" if sms.segments == 1 else "s"
    return f"{sms.encoding} · {sms.units} {unit} · {sms.segments} SMS segment{plural}"


class SmsAuthenticationPanel(Composite):
    """Edits one store's link and text; Save calls the service and shows its answer."""

    def __init__(self, admin: Any, store: IdentityStorePublic, account_names: list[str], *,
                 on_saved: Callable[[IdentityStorePublic], None] | None = None,
                 on_close: Callable[[], None] | None = None):
        super().__init__()
        self.admin, self.store, self._on_saved, self._on_close = admin, store, on_saved, on_close
        # "" rather than None for "no account": a Dropdown whose value is None shows a blank box.
        options = [(NO_ACCOUNT, ""), *[(n, n) for n in account_names]]
        self.account = Field("gateway_account", "SMS gateway account",
                             w.Dropdown(options=options, value=store.gateway_account_name or ""))
        self.text = Field("sms_text", "Text message", w.Textarea(value=store.sms_text, rows=3,
                                                                continuous_update=True))
        self.count = w.HTML("")
        self.count.add_class("smsgw-segments")
        self.observe(self.text.input, lambda _c: self._count())
        self._count()
        self.message = w.HTML("")
        self.message.add_class("smsgw-form-message")
        self.save_button = button("Save", self.save, style="primary", classes=("smsgw-save-sms",))
        self.close_button = button("Close", self.dismiss, classes=("smsgw-cancel",))
        self.root = w.VBox([
            w.HTML(f"<h3>SMS Authentication — {html.escape(store.name)}</h3>"),
            self.account.root, self.text.root, self.count, w.HBox([self.save_button, self.close_button]),
            self.message,
        ])
        self.root.add_class("smsgw-dialog")
        self.root.add_class("smsgw-sms-auth")

    def _count(self) -> None:
        self.count.value = f'<span class="smsgw-hint">{html.escape(segment_text(self.text.value))}</span>'

    def save(self) -> IdentityStorePublic | None:
        """Save the account choice and the text in one service call (the service checks [Code])."""
        self.text.set_error("")
        self.account.set_error("")
        self.message.value = ""
        store = self.store
        try:
            store = self.admin.configure_sms_authentication(store.id, account=self.account.value or None,
                                                            sms_text=self.text.value)
        except SmsgwError as exc:
            target = self.text if getattr(exc, "field", None) == "sms_text" else self.account
            target.set_error(error_text(exc, target.label))
            self.store = store
            return None
        self.store = store
        self.message.value = notice_html(f"SMS Authentication for '{store.name}' saved.", "success")
        if self._on_saved:
            self._on_saved(store)
        return store

    def dismiss(self) -> None:
        if self._on_close:
            self._on_close()
        self.close()
