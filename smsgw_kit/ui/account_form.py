"""The Create SMS Gateway / Edit SMS Gateway page: the seed's steps 3 to 10 as one form."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..errors import InvalidInput, SmsgwError
from ..fields import GATEWAY_FIELDS as ACCOUNT_FIELDS
from ..fields import PROXY_FIELDS, SECRETS, label
from ..gateways import gateway_types
from ..gateways.http import describe_proxy
from ..models import GatewayAccountPublic
from .base import Composite, button, close_tree, show
from .fields import Field
from .messages import KEY_NEEDED, can_use_secrets, error_text, notice_html
from .options import OptionsEditor
from .test_dialog import TestConnectionDialog

MAIN_FIELDS = tuple(f for f in ACCOUNT_FIELDS if f not in PROXY_FIELDS)
KEEP_HINT = "Leave empty to keep the current one"


class AccountForm(Composite):
    """Create (account=None) or edit an account; `on_done(account_or_None)` returns to the list."""

    def __init__(self, admin: Any, account: GatewayAccountPublic | None = None, *,
                 on_done: Callable[[GatewayAccountPublic | None], None] | None = None):
        super().__init__()
        self.admin, self.account, self._on_done = admin, account, on_done
        self.types = gateway_types()
        self.dialog: TestConnectionDialog | None = None
        self.saved: GatewayAccountPublic | None = None
        self.fields: dict[str, Field] = {"name": Field.text("name", label("name"), required=True)}
        self.gateway_type = Field("gateway_type", label("gateway_type"),
                                  w.Dropdown(options=list(self.types), value=None), required=True)
        self.fields["gateway_type"] = self.gateway_type
        for name in ACCOUNT_FIELDS:
            self.fields[name] = Field.text(name, label(name), password=name in SECRETS)
        self.description = w.HTML("")
        self.description.add_class("smsgw-gateway-description")
        self.options: OptionsEditor | None = None
        self.options_box = w.VBox([])
        self.proxy_toggle = button("Show Proxy Options", self.toggle_proxy, classes=("smsgw-proxy-toggle",))
        self.forget_proxy_password = w.Checkbox(description="Remove the stored proxy password", indent=False)
        show(self.forget_proxy_password, bool(account and account.proxy_password_set))
        # Under the proxy fields: a line about where the proxy resolves to (filled in by the gateways' owner).
        self.proxy_note = w.HTML("")
        self.proxy_note.add_class("smsgw-proxy-note")
        self.proxy_box = w.VBox([*(self.fields[n].root for n in PROXY_FIELDS), self.proxy_note,
                                 self.forget_proxy_password])
        self.proxy_box.add_class("smsgw-proxy-options")
        show(self.proxy_box, False)
        self.proxy_address = w.HTML("")  # under the proxy fields: where they point, updated as the operator types
        self.proxy_address.add_class("smsgw-proxy-address")
        show(self.proxy_address, False)
        self.is_default = w.Checkbox(description="Set as default account", indent=False)
        self.message = w.HTML("")
        self.message.add_class("smsgw-form-message")
        self.dialog_slot = w.VBox([])
        self.submit_button = button("Save SMS Gateway" if account else "Create SMS Gateway", self.submit,
                                    style="primary", classes=("smsgw-submit",))
        self.test_button = button("Test Connection", self.open_test, classes=("smsgw-test",))
        self.cancel_button = button("Cancel", self.cancel, classes=("smsgw-cancel",))
        if not can_use_secrets(admin):  # saving and testing need the key: say so on the buttons
            for b in (self.submit_button, self.test_button):
                b.disabled, b.tooltip = True, KEY_NEEDED
        self.root = self._layout()
        self.observe(self.gateway_type.input, self._type_changed)
        for name in ("proxy_host_name", "proxy_domain", "proxy_port"):
            self.observe(self.fields[name].input, self._show_proxy_address)
        self._load(account)
        self._show_proxy_address()

    @property
    def title(self) -> str:
        return "Edit SMS Gateway" if self.account else "Create SMS Gateway"

    def _layout(self) -> w.VBox:
        main = [self.fields["name"].root, self.gateway_type.root, self.description]
        main += [self.fields[n].root for n in MAIN_FIELDS]
        root = w.VBox([
            w.HTML(f"<h2>{self.title}</h2>"), *main, self.options_box, self.proxy_toggle, self.proxy_box,
            self.proxy_address,
            self.is_default, w.HBox([self.test_button, self.submit_button, self.cancel_button]),
            self.message, self.dialog_slot,
        ])
        root.add_class("smsgw-page")
        root.add_class("smsgw-page-account-form")
        return root

    def _load(self, account: GatewayAccountPublic | None) -> None:
        if account is None:
            self._type_changed({"old": None, "new": None})
            return
        self.fields["name"].value = account.name
        self.gateway_type.value = account.gateway_type if account.gateway_type in self.types else None
        for name in ACCOUNT_FIELDS:
            if name not in SECRETS:
                value = getattr(account, name)
                self.fields[name].value = "" if value is None else str(value)
        for name in SECRETS:
            if getattr(account, f"{name}_set"):
                self.fields[name].input.placeholder = KEEP_HINT
        self.is_default.value = account.is_default
        self._set_options(account.options)
        if any(getattr(account, n) for n in PROXY_FIELDS if n not in SECRETS) or account.proxy_password_set:
            self.toggle_proxy()

    def _type_changed(self, change: dict) -> None:
        cls = self.types.get(change["new"])
        info = cls.info if cls else None
        for name in ACCOUNT_FIELDS:
            spec = info.fields.get(name) if info else None
            self.fields[name].relabel(spec.label if spec else label(name), bool(spec and spec.required))
        self.description.value = (f"<p>{html.escape(info.description)}</p>" if info else "")
        url = self.fields["gateway_url"]
        old = self.types.get(change["old"])
        if info and (not url.value or (old and url.value == old.info.default_url)):
            url.value = info.default_url
        url.visible(info is not None)
        self._set_options(self.account.options if self.account and info and info.name == self.account.gateway_type else None)

    def _set_options(self, current: dict | None) -> None:
        cls = self.types.get(self.gateway_type.value)
        specs = cls.info.options if cls else ()
        if self.options is not None:
            close_tree(self.options.root)
        self.options = OptionsEditor(specs, current) if specs else None
        self.options_box.children = [self.options.root] if self.options else []

    def _show_proxy_address(self, change: dict | None = None) -> None:
        f = self.fields
        text = describe_proxy(f["proxy_host_name"].value, f["proxy_domain"].value, f["proxy_port"].value)
        self.proxy_address.value = f"<small>{html.escape(text)}</small>"

    def toggle_proxy(self) -> None:
        shown = self.proxy_box.layout.display != "none"
        show(self.proxy_box, not shown)
        show(self.proxy_address, not shown)
        self.proxy_toggle.description = "Hide Proxy Options" if not shown else "Show Proxy Options"
        self.proxy_toggle.tooltip = self.proxy_toggle.description

    def values(self) -> dict[str, Any]:
        """The form as the service's keyword arguments (empty passwords mean 'keep' / 'none')."""
        values = {name: field.value for name, field in self.fields.items()}
        if self.options is not None:
            values["options"] = self.options.values()
        return values

    def _clear_errors(self) -> None:
        for field in self._all_fields():
            field.set_error("")
        self.message.value = ""

    def _all_fields(self) -> list[Field]:
        return [*self.fields.values(), *(self.options.fields.values() if self.options else ())]

    def show_error(self, exc: Exception) -> None:
        """Put the error next to the field it concerns, or above the buttons when it concerns none."""
        field = next((f for f in self._all_fields() if isinstance(exc, InvalidInput) and f.name == exc.field), None)
        if field is None and isinstance(exc, InvalidInput) and exc.field.startswith("options") and self.options:
            field = next(iter(self.options.fields.values()))
        if field is not None:
            field.set_error(error_text(exc, field.label))
            if field.name in PROXY_FIELDS and self.proxy_box.layout.display == "none":
                self.toggle_proxy()
        else:
            self.message.value = notice_html(error_text(exc), "error")

    def submit(self) -> GatewayAccountPublic | None:
        """Create or save through the service; on success return to the list and forget the passwords.

        A refused save keeps what was typed (the passwords too: they live in the kernel only, see
        inputs.SecretBox), so the operator fixes the one field the error names and submits again.
        """
        self._clear_errors()
        try:
            values = self.values()
            if self.account is None:
                saved = self.admin.create_account(set_default=self.is_default.value, **values)
            else:
                clear = ("proxy_password",) if self.forget_proxy_password.value else ()
                saved = self.admin.modify_account(self.account, set_default=self.is_default.value, clear=clear,
                                                  **values)
        except SmsgwError as exc:
            self.show_error(exc)
            return None
        self._clear_secrets()
        self.saved = saved
        if self._on_done:
            self._on_done(saved)
        return saved

    def _clear_secrets(self) -> None:
        for name in SECRETS:
            self.fields[name].value = ""

    def cancel(self) -> None:
        self._clear_secrets()
        if self._on_done:
            self._on_done(None)

    def open_test(self) -> TestConnectionDialog:
        """Test Connection on the values in the form, before saving."""
        self._clear_errors()
        self.close_dialog()
        self.dialog = TestConnectionDialog(self._test_values, subject=self.fields["name"].value.strip(),
                                           on_close=self.close_dialog, on_invalid=self.show_error)
        self.dialog_slot.children = [self.dialog.root]
        return self.dialog

    def _test_values(self, phone: str) -> Any:
        values = self.values()
        name = values.pop("name")
        account = self.account.id if self.account else None
        return self.admin.test_settings(phone=phone, account=account, name=name, **values)

    def close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog_slot.children = []
            dialog, self.dialog = self.dialog, None
            dialog.close()

    def close(self) -> None:
        self._clear_secrets()
        self.close_dialog()
        super().close()
