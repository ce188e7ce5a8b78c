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
# Fixed widths keep every row one line high at 1400 px; the URL column takes what is left, and below
# about 1130 px the table scrolls sideways instead of squeezing headers into each other.
SELECT_WIDTH = "30px"
COLUMNS = (("Name", "140px"), ("Gateway Type", "116px"), ("Gateway URL", None), ("Default", "62px"),
           ("Used by", "140px"), ("Last Test", "176px"), ("Actions", "330px"))


def _layout(width: str | None) -> w.Layout:
    if width is None:
        return w.Layout(flex="1 1 auto", min_width="150px", width="auto")
    return w.Layout(width=width, flex="0 0 auto")


def _cell(text: str, width: str | None, cls: str = "") -> w.HTML:
    """One cell: cut with an ellipsis when long, the full text on hover."""
    return w.HTML(f'<div class="smsgw-cell {cls}" title="{html.escape(text)}">{html.escape(text)}</div>',
                  layout=_layout(width))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class AccountsTable(Composite):
    """A page of accounts fetched from the service; `actions` maps an action label to a row handler.

    `fetch(search, offset, limit)` returns that page's rows and how many accounts match in all, so
    only one page is ever loaded, however many accounts there are. Each row has a check box; the
    names ticked (on any page) are `selected`.
    """

    def __init__(self, fetch: Callable[[str | None, int, int], tuple[pd.DataFrame, int]],
                 actions: dict[str, Callable[[Any], object]], page_size: int = PAGE_SIZE,
                 on_select: Callable[[set[str]], None] | None = None):
        super().__init__()
        self.fetch = fetch
        self.actions = actions
        self.page_size = page_size
        self.on_select = on_select
        self.selected: set[str] = set()
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
        header = w.HBox([w.HTML("", layout=_layout(SELECT_WIDTH)),
                         *(_cell(label, width, "smsgw-th") for label, width in COLUMNS)])
        header.add_class("smsgw-table-header")
        self.rows = w.VBox([])
        self.rows.add_class("smsgw-table-rows")
        inner = w.VBox([header, self.rows])
        inner.add_class("smsgw-table-inner")
        scroll = w.VBox([inner])
        scroll.add_class("smsgw-table-scroll")
        self.root = w.VBox([self.search, scroll, w.HBox([self.prev, self.next, self.status])])
        self.root.add_class("smsgw-accounts-table")

    def reload(self) -> None:
        """Fetch the current page again (after a change); keeps the search, the page and the selection."""
        self.go(self.page)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.matches / self.page_size))

    def _load(self, term: str | None, page: int) -> None:
        self.page = max(page, 0)
        self.shown, self.matches = self.fetch(term, self.page * self.page_size, self.page_size)

    def go(self, page: int) -> None:
        term = self.search.value.strip() or None
        before = self.shown
        self._load(term, page)
        if self.shown.empty and self.page >= self.pages:  # the page emptied (deletes): show the last one
            self._load(term, self.pages - 1)
        self.count = self.matches if term is None else self.fetch(None, 0, 1)[1]
        # Rebuild the rows only when they changed: a reload that finds the same data (a poll after one's
        # own change) must not swap the buttons under the operator's pointer.
        if not (self.rows.children and before.equals(self.shown)):
            old = self.rows.children
            self.rows.children = [self._row(r) for r in self.records()]
            for row in old:
                close_tree(row)
        self.prev.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1
        total = f"{self.matches} of {plural(self.count, 'account')}" if term else plural(self.count, "account")
        self.status.value = f"Page {self.page + 1} of {self.pages} · {total}"

    def records(self) -> list:
        """The rows on the current page as named tuples (what the action handlers receive)."""
        return list(self.shown.itertuples(index=False, name="AccountRow"))

    def record(self, name: str):
        """The row on the current page whose account is called `name`."""
        return next(r for r in self.records() if r.name == name)

    def select(self, name: str, flag: bool = True) -> None:
        """Tick (or untick) an account's check box, as a click on it does."""
        (self.selected.add if flag else self.selected.discard)(name)
        if self.on_select:
            self.on_select(self.selected)

    def clear_selection(self) -> None:
        self.selected.clear()
        self.reload()
        if self.on_select:
            self.on_select(self.selected)

    def _row(self, r) -> w.HBox:
        widths = [width for _, width in COLUMNS]
        tick = w.Checkbox(value=r.name in self.selected, indent=False, description="",
                          layout=_layout(SELECT_WIDTH))
        tick.add_class("smsgw-select")
        tick.observe(lambda c, n=r.name: self.select(n, c["new"]), names="value")
        cells = [
            _cell(r.name, widths[0], "smsgw-account-name"), _cell(r.gateway_type, widths[1]),
            _cell(r.gateway_url or "", widths[2], "smsgw-url"),
            _cell("Yes" if r.is_default else "", widths[3], "smsgw-default"),
            _cell(names(r.used_by), widths[4], "smsgw-linked smsgw-used-by"),
            _cell(last_test(r.last_test_outcome, r.last_test_at), widths[5], "smsgw-last-test"),
        ]
        buttons = [button(label, partial(handler, r), classes=(f"smsgw-action-{label.lower().replace(' ', '-')}",))
                   for label, handler in self.actions.items() if not (label == "Set as default" and r.is_default)]
        actions = w.HBox(buttons, layout=_layout(widths[6]))
        actions.add_class("smsgw-actions")
        row = w.HBox([tick, *cells, actions])
        row.add_class("smsgw-row")
        return row
