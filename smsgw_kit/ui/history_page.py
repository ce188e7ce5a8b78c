"""The History page: every Test Connection run, filtered by account, outcome, who and time range."""

from __future__ import annotations

from typing import Any, ClassVar

import ipywidgets as w
import pandas as pd

from .frame_page import FramePage
from .frame_table import TIME_RANGES, since
from .history_plot import history_svg

OUTCOMES = {"Any result": None, "Passed": "passed", "Failed": "failed", "Not supported": "unsupported"}


def stages_text(stages: Any) -> str:
    return "; ".join(f"{s.get('name')}: {s.get('outcome')}" for s in stages or ())


class HistoryPage(FramePage):
    """Test history from GatewayAdmin.test_history_frame."""

    TITLE, KIND, TIMES = "History", "history", ("started_at",)
    COLUMNS: ClassVar[dict[str, str]] = {"started_at": "When", "account_name": "Account", "gateway_type": "Gateway Type",
               "phone": "Mobile Number", "outcome": "Result", "duration_ms": "Time (ms)", "summary": "Summary",
               "run_by": "Who", "stages": "Stages"}

    def __init__(self, admin: Any):
        self.account = w.Text(description="Account", placeholder="any account", continuous_update=False)
        self.outcome = w.Dropdown(description="Result", options=list(OUTCOMES))
        self.who = w.Text(description="Who", placeholder="anyone", continuous_update=False)
        self.time_range = w.Dropdown(description="Time range", options=list(TIME_RANGES))
        super().__init__(admin, [self.account, self.outcome, self.who, self.time_range])

    def above_table(self) -> list[w.Widget]:
        self.plot = w.HTML("")
        self.plot.add_class("smsgw-history-plot")
        return [self.plot]

    def shown(self) -> None:
        self.plot.value = history_svg(self.frame)

    def query(self) -> pd.DataFrame:
        frame = self.admin.test_history_frame(
            account=self.account.value.strip() or None, outcome=OUTCOMES[self.outcome.value] or None,
            run_by=self.who.value.strip() or None, since=since(self.time_range.value),
        )
        return frame.assign(stages=frame["stages"].map(stages_text))
