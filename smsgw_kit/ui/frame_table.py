"""A DataFrame as an escaped HTML table, capped in rows, plus the time-range choices the filters share."""

from __future__ import annotations

import html
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


def _td(value: Any) -> str:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    escaped = html.escape(text)
    return f'<td title="{escaped}">{escaped}</td>'


def table_html(frame: pd.DataFrame, columns: dict[str, str], *, times: tuple[str, ...] = (),
               css: str = "smsgw-table") -> str:
    """Chosen columns under their display names, times as UTC text, every value escaped.

    Cells stay one line high (cut with an ellipsis by the stylesheet); the full text is the cell's title.
    """
    shown = frame.head(MAX_ROWS)[list(columns)].copy()
    for col in shown.columns:
        shown[col] = shown[col].map(when) if col in times else shown[col].map(_plain).astype(object)
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = "".join("<tr>" + "".join(_td(v) for v in row) + "</tr>" for row in shown.itertuples(index=False))
    more = (f'<p class="smsgw-hint">Showing the newest {MAX_ROWS} of {len(frame)} rows; narrow the filters '
            "to see others.</p>") if len(frame) > MAX_ROWS else ""
    rows = "1 row" if len(frame) == 1 else f"{len(frame)} rows"
    count = f'<p class="smsgw-hint smsgw-row-count">{rows}</p>'
    table = f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return f'{count}<div class="smsgw-frame-scroll">{table}</div>{more}'
