"""A DataFrame as an escaped HTML table, capped in rows, plus the time-range choices the filters share."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from .format import when

MAX_ROWS = 500
TIME_RANGES = {
    "All time": None, "Last hour": timedelta(hours=1), "Last 24 hours": timedelta(days=1),
    "Last 7 days": timedelta(days=7), "Last 30 days": timedelta(days=30),
}


def since(label: str) -> datetime | None:
    span = TIME_RANGES[label]
    return datetime.now(UTC) - span if span else None


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def table_html(frame: pd.DataFrame, columns: dict[str, str], *, times: tuple[str, ...] = (),
               css: str = "smsgw-table") -> str:
    """Chosen columns under their display names, times as UTC text, every value escaped."""
    shown = frame.head(MAX_ROWS)[list(columns)].copy()
    for col in shown.columns:
        shown[col] = shown[col].map(when) if col in times else shown[col].map(_plain).astype(object)
    shown = shown.rename(columns=columns).fillna("")
    more = (f'<p class="smsgw-hint">Showing the newest {MAX_ROWS} of {len(frame)} rows; narrow the filters '
            "to see others.</p>") if len(frame) > MAX_ROWS else ""
    count = f'<p class="smsgw-hint smsgw-row-count">{len(frame)} rows</p>'
    return count + shown.to_html(index=False, escape=True, classes=css, border=0) + more
