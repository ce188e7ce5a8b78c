"""The History page: every Test Connection run, filtered by account, outcome, who and time range."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from ..errors import SmsgwError
from .base import Composite, button
from .frame_table import TIME_RANGES, since, table_html
from .messages import notice_html

COLUMNS = {"started_at": "When", "account_name": "Account", "gateway_type": "Gateway Type", "phone": "Mobile Number",
           "outcome": "Result", "duration_ms": "Time (ms)", "summary": "Summary", "run_by": "Who", "stages": "Stages"}
OUTCOMES = {"Any result": None, "Passed": "passed", "Failed": "failed", "Not supported": "unsupported"}


def stages_text(stages: Any) -> str:
    return "; ".join(f"{s.get('name')}: {s.get('outcome')}" for s in stages or ())


class HistoryPage(Composite):
    """Test history from GatewayAdmin.test_history_frame, as an escaped table."""

    def __init__(self, admin: Any):
        super().__init__()
        self.admin = admin
        self.frame = pd.DataFrame()
        self.account = w.Text(description="Account", placeholder="any account", continuous_update=False)
        self.outcome = w.Dropdown(description="Result", options=list(OUTCOMES))
        self.who = w.Text(description="Who", placeholder="anyone", continuous_update=False)
        self.time_range = w.Dropdown(description="Time range", options=list(TIME_RANGES))
        for widget in (self.account, self.outcome, self.who, self.time_range):
            self.observe(widget, lambda _c: self.refresh())
        self.table = w.HTML("")
        self.table.add_class("smsgw-history-table")
        self.root = w.VBox([w.HTML("<h2>History</h2>"),
                            w.HBox([self.account, self.outcome]), w.HBox([self.who, self.time_range]),
                            button("Refresh", self.refresh, classes=("smsgw-refresh",)), self.table])
        self.root.add_class("smsgw-page")
        self.root.add_class("smsgw-page-history")
        self.refresh()

    def refresh(self) -> None:
        try:
            frame = self.admin.test_history_frame(account=self.account.value.strip() or None)
        except SmsgwError as exc:
            self.table.value = notice_html(str(exc), "error")
            return
        outcome, who, start = OUTCOMES[self.outcome.value], self.who.value.strip(), since(self.time_range.value)
        if outcome:
            frame = frame[frame["outcome"] == outcome]
        if who:
            frame = frame[frame["run_by"] == who]
        if start is not None:
            frame = frame[frame["started_at"] >= pd.Timestamp(start)]
        self.frame = frame.assign(stages=frame["stages"].map(stages_text))
        self.table.value = table_html(self.frame, COLUMNS, times=("started_at",))
