"""The Admin Center: the left navigation pane (SMS Gateway at its bottom, as in the seed) and the open page."""

from __future__ import annotations

import weakref
from functools import partial
from typing import Any

import ipywidgets as w

from ..errors import SmsgwError
from .audit_page import AuditPage
from .base import Composite, button
from .gateways_page import GatewaysPage
from .history_page import HistoryPage
from .kernel import KernelThread
from .stores_page import IdentityStoresPage
from .style import CSS

# The navigation pane's items, top to bottom; the seed: "click SMS Gateway at the bottom of the left
# navigation pane".
PAGES = {"Identity Stores": IdentityStoresPage, "History": HistoryPage, "Audit": AuditPage,
         "SMS Gateway": GatewaysPage}
POLL_SECONDS = 3.0
# The Admin Center polling each database. Re-running the cell that builds one would otherwise leave every
# earlier one polling, unseen, for as long as the kernel lives; the newest takes over (the older ones
# still reload on each navigation).
_polling: dict[str, weakref.ReferenceType[AdminCenter]] = {}


class AdminCenter(Composite):
    """Every procedure of the seed in one widget: `AdminCenter(GatewayAdmin())`.

    Changes made elsewhere (another notebook, another operator) show up by themselves: a cheap change
    stamp (`admin.data_version()`) is checked on the kernel's event loop every few seconds and on each
    navigation, and the open page reloads when it moved.
    """

    def __init__(self, admin: Any = None, *, start: str = "SMS Gateway", poll_seconds: float = POLL_SECONDS):
        super().__init__()
        if admin is None:
            from ..service import GatewayAdmin

            admin = GatewayAdmin()
        self.admin = admin
        self.page: Any = None
        self.current = ""
        self.version: Any = None
        self.nav = {name: button(name, partial(self.open, name),
                                 classes=("smsgw-nav-item", f"smsgw-nav-{name.lower().replace(' ', '-')}"))
                    for name in PAGES}
        for item in self.nav.values():
            item.layout.width = "160px"
        items = list(self.nav.values())
        spacer = w.Box([], layout=w.Layout(flex="1 1 auto"))
        spacer.add_class("smsgw-nav-spacer")
        nav = w.VBox([*items[:-1], spacer, items[-1]])
        nav.add_class("smsgw-nav")
        self.content = w.VBox([])
        self.content.add_class("smsgw-content")
        self.root = w.VBox([w.HTML(CSS), w.HTML("<h1>Admin Center</h1>"), w.HBox([nav, self.content])])
        self.root.add_class("smsgw-admin")
        self.open(start)
        self._kernel = KernelThread()
        self._kernel.every(poll_seconds, self.check_for_changes)
        older = _polling.get(self._database)
        if older is not None and (center := older()) is not None:
            center._kernel.stop()
        _polling[self._database] = weakref.ref(self)

    @property
    def _database(self) -> str:
        db = getattr(self.admin, "db", None)
        return str(db.engine.url) if db is not None else f"admin {id(self.admin)}"

    @property
    def polling(self) -> bool:
        """True while this Admin Center checks for changes by itself (inside a kernel, until closed or replaced)."""
        return self._kernel.running

    def open(self, name: str) -> Any:
        """Show the page called `name`, freshly loaded from the service.

        Clicking the open page's item again reloads that page in place (a form or dialog on it closes)
        rather than building a new one, so a click that follows at once lands on live buttons.
        """
        old = self.page
        self.version = self._data_version()
        if old is not None and name == self.current:
            getattr(old, "reset", old.data_changed)()
            return old
        self.current = name
        self.page = PAGES[name](self.admin)
        self.content.children = [self.page.root]
        if old is not None:
            old.close()
        for label, item in self.nav.items():
            (item.add_class if label == name else item.remove_class)("smsgw-nav-active")
        return self.page

    def _data_version(self) -> Any:
        try:
            return self.admin.data_version()
        except SmsgwError:
            return None

    def check_for_changes(self) -> bool:
        """Reload the open page if the data changed since it was last loaded; True when it did."""
        version = self._data_version()
        if version is None or version == self.version:
            return False
        self.version = version
        self.page.data_changed()
        return True

    def close(self) -> None:
        self._kernel.stop()
        if (ref := _polling.get(self._database)) is not None and ref() is self:
            del _polling[self._database]
        if self.page is not None:
            self.page.close()
        super().close()
