"""The Admin Center: left navigation (SMS Gateways, Identity Stores, History, Audit) and the open page."""

from __future__ import annotations

from functools import partial
from typing import Any

import ipywidgets as w

from .audit_page import AuditPage
from .base import Composite, button
from .gateways_page import GatewaysPage
from .history_page import HistoryPage
from .stores_page import IdentityStoresPage
from .style import CSS

PAGES = {"SMS Gateways": GatewaysPage, "Identity Stores": IdentityStoresPage, "History": HistoryPage,
         "Audit": AuditPage}


class AdminCenter(Composite):
    """Every procedure of the seed in one widget: `AdminCenter(GatewayAdmin())`."""

    def __init__(self, admin: Any = None, *, start: str = "SMS Gateways"):
        super().__init__()
        if admin is None:
            from ..service import GatewayAdmin

            admin = GatewayAdmin()
        self.admin = admin
        self.page: Any = None
        self.nav = {name: button(name, partial(self.open, name),
                                 classes=("smsgw-nav-item", f"smsgw-nav-{name.lower().replace(' ', '-')}"))
                    for name in PAGES}
        for item in self.nav.values():
            item.layout.width = "160px"
        nav = w.VBox(list(self.nav.values()))
        nav.add_class("smsgw-nav")
        self.content = w.VBox([])
        self.content.add_class("smsgw-content")
        self.root = w.VBox([w.HTML(CSS), w.HTML("<h1>Admin Center</h1>"), w.HBox([nav, self.content])])
        self.root.add_class("smsgw-admin")
        self.open(start)

    def open(self, name: str) -> Any:
        """Show the page called `name`, freshly loaded from the service."""
        old = self.page
        self.page = PAGES[name](self.admin)
        self.content.children = [self.page.root]
        if old is not None:
            old.close()
        for label, item in self.nav.items():
            item.button_style = "info" if label == name else ""
        return self.page

    def close(self) -> None:
        if self.page is not None:
            self.page.close()
        super().close()
