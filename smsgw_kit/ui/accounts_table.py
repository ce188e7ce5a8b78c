"""The accounts list: one page of rows at a time, with search and an Actions column per row."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from .base import Composite, button, close_tree
from .format import last_test, names

PAGE_SIZE = 20
COLUMNS = (("Name", "14%"), ("Gateway Type", "9%"), ("Gateway URL", "17%"), ("Default", "6%"),
           ("Linked Stores", "12%"), ("Last Test", "17%"), ("Actions", "25%"))
SEARCHED = ("name", "gateway_type", "gateway_url")


def _cell(text: str, width: str, cls: str = "") -> w.HTML:
    cell = w.HTML(f'<div class="smsgw-cell {cls}" title="{html.escape(text)}">{html.escape(text)}</div>',
                  layout=w.Layout(width=width))
    return cell


class AccountsTable(Composite):
    """Rows from the accounts frame; `actions` maps an action label to a handler taking the row."""

    def __init__(self, actions: dict[str, Callable[[Any], None]], page_size: int = PAGE_SIZE):
        super().__init__()
        self.actions = actions
        self.page_size = page_size
        self.frame = pd.DataFrame()
        self.shown = pd.DataFrame()
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

    def load(self, frame: pd.DataFrame, links: dict[int, list[str]]) -> None:
        """Show `frame` (accounts_frame rows) with the store names in `links`; keeps the search and page."""
        self.frame = frame.assign(stores=[links.get(int(i), []) for i in frame["id"]])
        self.go(self.page)

    def matching(self) -> pd.DataFrame:
        term = self.search.value.strip().casefold()
        if not term or self.frame.empty:
            return self.frame
        hit = pd.Series(False, index=self.frame.index)
        for col in SEARCHED:
            hit |= self.frame[col].fillna("").str.casefold().str.contains(term, regex=False)
        return self.frame[hit]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.matching()) / self.page_size))

    def go(self, page: int) -> None:
        found = self.matching()
        pages = max(1, math.ceil(len(found) / self.page_size))
        self.page = min(max(page, 0), pages - 1)
        start = self.page * self.page_size
        self.shown = found.iloc[start:start + self.page_size]
        old = self.rows.children
        self.rows.children = [self._row(r) for r in self.records()]
        for row in old:
            close_tree(row)
        self.prev.disabled = self.page == 0
        self.next.disabled = self.page >= pages - 1
        total = f"{len(found)} of {len(self.frame)} accounts" if self.search.value.strip() else f"{len(self.frame)} accounts"
        self.status.value = f"Page {self.page + 1} of {pages} · {total}"

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
            _cell(names(r.stores), widths[4], "smsgw-linked"),
            _cell(last_test(r.last_test_outcome, r.last_test_at), widths[5], "smsgw-last-test"),
        ]
        buttons = [button(label, (lambda h=handler: h(r)), classes=(f"smsgw-action-{label.lower().replace(' ', '-')}",))
                   for label, handler in self.actions.items() if not (label == "Set as default" and r.is_default)]
        row = w.HBox([*cells, w.HBox(buttons, layout=w.Layout(width=widths[6], flex_flow="row wrap"))])
        row.add_class("smsgw-row")
        return row
