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
        self.table = w.HTML("")
        self.table.add_class(f"smsgw-{self.KIND}-table")
        pairs = [w.HBox(filters[i:i + 2]) for i in range(0, len(filters), 2)]
        self.root = w.VBox([w.HTML(f"<h2>{self.TITLE}</h2>"), *pairs,
                            button("Refresh", self.refresh, classes=("smsgw-refresh",)), self.table])
        self.root.add_class("smsgw-page")
        self.root.add_class(f"smsgw-page-{self.KIND}")
        self.refresh()

    def query(self) -> pd.DataFrame:
        raise NotImplementedError

    def refresh(self) -> None:
        try:
            self.frame = self.query()
        except SmsgwError as exc:
            self.table.value = notice_html(str(exc), "error")
            return
        self.table.value = table_html(self.frame, self.COLUMNS, times=self.TIMES)
