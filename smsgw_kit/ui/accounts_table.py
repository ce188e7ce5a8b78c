"""The accounts list: one page of rows at a time, with search and an Actions column per row."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as w
import pandas as pd

from .base import Composite, button, close_tree
from .format import last_test, names

PAGE_SIZE = 20
COLUMNS = (("Name", "14%"), ("Gateway Type", "9%"), ("Gateway URL", "17%"), ("Default", "6%"),
           ("Used by", "12%"), ("Last Test", "17%"), ("Actions", "25%"))


def _cell(text: str, width: str, cls: str = "") -> w.HTML:
    cell = w.HTML(f'<div class="smsgw-cell {cls}" title="{html.escape(text)}">{html.escape(text)}</div>',
                  layout=w.Layout(width=width))
    return cell


class AccountsTable(Composite):
    """A page of accounts fetched from the service; `actions` maps an action label to a row handler.

    `fetch(search, offset, limit)` returns that page's rows and how many accounts match in all, so
    only one page is ever loaded, however many accounts there are.
    """

    def __init__(self, fetch: Callable[[str | None, int, int], tuple[pd.DataFrame, int]],
                 actions: dict[str, Callable[[Any], object]], page_size: int = PAGE_SIZE):
        super().__init__()
        self.fetch = fetch
        self.actions = actions
        self.page_size = page_size
        self.shown = pd.DataFrame()
        self.matches = self.count = 0
        self.page = 0
        self.search = w.Text(description="Search", placeholder="name, gateway type or URL", continuous_update=False)
        self.search.add_class("smsgw-search")
        self.observe(self.search, lambda _c: self.go(0))
        self.prev = button("Previous", lambda: self.go(self.page - 1), classes=("smsgw-prev",))
        self.next = button("Next", lambda: self.go(self.page + 1), classes=("smsgw-next",))
        self.status = w.Label("")
        self.status.add_class("smsgw-page-status")
        header = w.HBox([_cell(label, width, "smsgw-th") for label, width in COLUMNS])
        header.add_class("smsgw-table-header")
        self.rows = w.VBox([])
        self.rows.add_class("smsgw-table-rows")
        self.root = w.VBox([self.search, header, self.rows, w.HBox([self.prev, self.next, self.status])])
        self.root.add_class("smsgw-accounts-table")

    def reload(self) -> None:
        """Fetch the current page again (after a change); keeps the search and page."""
        self.go(self.page)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.matches / self.page_size))

    def _load(self, term: str | None, page: int) -> None:
        self.page = max(page, 0)
        self.shown, self.matches = self.fetch(term, self.page * self.page_size, self.page_size)

    def go(self, page: int) -> None:
        term = self.search.value.strip() or None
        self._load(term, page)
        if self.shown.empty and self.page >= self.pages:  # the page emptied (deletes): show the last one
            self._load(term, self.pages - 1)
        self.count = self.matches if term is None else self.fetch(None, 0, 1)[1]
        old = self.rows.children
        self.rows.children = [self._row(r) for r in self.records()]
        for row in old:
            close_tree(row)
        self.prev.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1
        total = f"{self.matches} of {self.count} accounts" if term else f"{self.count} accounts"
        self.status.value = f"Page {self.page + 1} of {self.pages} · {total}"

    def records(self) -> list:
        """The rows on the current page as named tuples (what the action handlers receive)."""
        return list(self.shown.itertuples(index=False, name="AccountRow"))

    def record(self, name: str):
        """The row on the current page whose account is called `name`."""
        return next(r for r in self.records() if r.name == name)

    def _row(self, r) -> w.HBox:
        widths = [width for _, width in COLUMNS]
        cells = [
            _cell(r.name, widths[0], "smsgw-account-name"), _cell(r.gateway_type, widths[1]),
            _cell(r.gateway_url or "", widths[2]), _cell("Yes" if r.is_default else "", widths[3], "smsgw-default"),
            _cell(names(r.used_by), widths[4], "smsgw-linked smsgw-used-by"),
            _cell(last_test(r.last_test_outcome, r.last_test_at), widths[5], "smsgw-last-test"),
        ]
        buttons = [button(label, partial(handler, r), classes=(f"smsgw-action-{label.lower().replace(' ', '-')}",))
                   for label, handler in self.actions.items() if not (label == "Set as default" and r.is_default)]
        row = w.HBox([*cells, w.HBox(buttons, layout=w.Layout(width=widths[6], flex_flow="row wrap"))])
        row.add_class("smsgw-row")
        return row
