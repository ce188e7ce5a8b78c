"""The Identity Stores page: list and create stores, and open a store's SMS Authentication settings."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..errors import SmsgwError
from .base import Composite, button, close_tree
from .fields import Field
from .messages import error_text, notice_html
from .sms_auth import SmsAuthenticationPanel
from .store_routing import StoreRoutingPanel

COLUMNS = (("Name", "22%"), ("Type", "14%"), ("SMS gateway account", "22%"), ("Text message", "28%"),
           ("Actions", "14%"))


def _cell(text: str, width: str, cls: str = "") -> w.HTML:
    return w.HTML(f'<div class="smsgw-cell {cls}">{html.escape(text)}</div>', layout=w.Layout(width=width))


class IdentityStoresPage(Composite):
    """Stores with their linked account; a new store shows the default account already linked."""

    def __init__(self, admin: Any):
        super().__init__()
        self.admin = admin
        self.stores: list = []
        self.panel: SmsAuthenticationPanel | None = None
        self.routing: StoreRoutingPanel | None = None
        self.name = Field.text("name", "Name", required=True)
        self.store_type = Field.text("store_type", "Store Type")
        self.store_type.value = "Active Directory"
        self.create_button = button("Create Identity Store", self.create, style="primary",
                                    classes=("smsgw-create-store",))
        self.notice = w.HTML("")
        self.notice.add_class("smsgw-notice-area")
        self.panel_slot = w.VBox([])
        header = w.HBox([_cell(label, width, "smsgw-th") for label, width in COLUMNS])
        header.add_class("smsgw-table-header")
        self.rows = w.VBox([])
        self.rows.add_class("smsgw-table-rows")
        self.root = w.VBox([
            w.HTML("<h2>Identity Stores</h2>"), self.name.root, self.store_type.root, self.create_button,
            self.notice, self.panel_slot, header, self.rows,
        ])
        self.root.add_class("smsgw-page")
        self.root.add_class("smsgw-page-stores")
        self.refresh()

    def refresh(self) -> None:
        self.stores = self.admin.list_identity_stores()
        old = self.rows.children
        self.rows.children = [self._row(s) for s in self.stores]
        for row in old:
            close_tree(row)

    def data_changed(self) -> None:
        """Changed elsewhere: reload the list (an open SMS Authentication panel keeps what is typed)."""
        self.refresh()

    def _row(self, store: Any) -> w.HBox:
        widths = [width for _, width in COLUMNS]
        linked = store.gateway_account_name or "—"
        open_button = button("SMS Authentication", lambda: self.open_sms_auth(store.name),
                             classes=("smsgw-action-sms-authentication",))
        row = w.HBox([_cell(store.name, widths[0], "smsgw-store-name"), _cell(store.store_type, widths[1]),
                      _cell(linked, widths[2], "smsgw-linked-account"), _cell(store.sms_text, widths[3]),
                      w.HBox([open_button], layout=w.Layout(width=widths[4]))])
        row.add_class("smsgw-row")
        return row

    def create(self) -> Any:
        self.name.set_error("")
        self.store_type.set_error("")
        try:
            store = self.admin.create_identity_store(name=self.name.value, store_type=self.store_type.value)
        except SmsgwError as exc:
            field = self.store_type if getattr(exc, "field", None) == "store_type" else self.name
            field.set_error(error_text(exc, field.label))
            return None
        if store.notice:  # the service says what the operator must know (e.g. there is no default account)
            self.notice.value = notice_html(f"Identity store '{store.name}' created. {store.notice}", "warning")
        else:
            linked = f"linked to the default account '{store.gateway_account_name}'"
            self.notice.value = notice_html(f"Identity store '{store.name}' created, {linked}.", "success")
        self.name.value = ""
        self.refresh()
        return store

    def open_sms_auth(self, store_name: str) -> SmsAuthenticationPanel | None:
        self.close_panel()
        try:
            store = self.admin.get_identity_store(store_name)
            names = [a.name for a in self.admin.list_accounts()]
        except SmsgwError as exc:
            self.notice.value = notice_html(error_text(exc), "error")
            return None
        self.panel = SmsAuthenticationPanel(self.admin, store, names, on_saved=lambda _s: self.refresh(),
                                            on_close=self.close_panel)
        self.routing = StoreRoutingPanel(self.admin, store.name, names)  # fallbacks, routes, preview, test code
        self.panel.root.children = (*self.panel.root.children, self.routing.root)
        self.panel_slot.children = [self.panel.root]
        return self.panel

    def close_panel(self) -> None:
        if self.routing is not None:
            routing, self.routing = self.routing, None
            routing.close()
        if self.panel is not None:
            panel, self.panel = self.panel, None
            self.panel_slot.children = []
            panel.close()

    def close(self) -> None:
        self.close_panel()
        super().close()
