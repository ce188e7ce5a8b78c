"""A page that shows one pandas view as an escaped table under a row of filters."""

from __future__ import annotations

from typing import Any, ClassVar

import ipywidgets as w
import pandas as pd

from ..errors import SmsgwError
from .base import Composite, button
from .frame_table import table_html
from .messages import notice_html


class FramePage(Composite):
    """Subclasses set TITLE, KIND, COLUMNS, TIMES and `query()`; any filter change reloads the table."""

    TITLE = ""
    KIND = ""
    COLUMNS: ClassVar[dict[str, str]] = {}
    TIMES: tuple[str, ...] = ()

    def __init__(self, admin: Any, filters: list[w.ValueWidget]):
        super().__init__()
        self.admin = admin
        self.frame = pd.DataFrame()
        for widget in filters:
            self.observe(widget, lambda _c: self.refresh())
            widget.style.description_width = "110px"  # room for the longest label ("Account/Store")
        self.table = w.HTML("")
        self.table.add_class(f"smsgw-{self.KIND}-table")
        pairs = [w.HBox(filters[i:i + 2]) for i in range(0, len(filters), 2)]
        for pair in pairs:
            pair.add_class("smsgw-filters")
        self.root = w.VBox([w.HTML(f"<h2>{self.TITLE}</h2>"), *pairs,
                            button("Refresh", self.refresh, classes=("smsgw-refresh",)), *self.above_table(),
                            self.table])
        self.root.add_class("smsgw-page")
        self.root.add_class(f"smsgw-page-{self.KIND}")
        self.refresh()

    def above_table(self) -> list[w.Widget]:
        """Widgets shown between the filters and the table (none by default)."""
        return []

    def query(self) -> pd.DataFrame:
        raise NotImplementedError

    def data_changed(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        try:
            self.frame = self.query()
        except SmsgwError as exc:
            self.table.value = notice_html(str(exc), "error")
            return
        self.table.value = table_html(self.frame, self.COLUMNS, times=self.TIMES)
        self.shown()

    def shown(self) -> None:
        """Called after each reload with `self.frame` set (a plot can follow the table here)."""
