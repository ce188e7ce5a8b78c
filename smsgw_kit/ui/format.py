"""Plain-text forms of table values: times, outcomes, lists (the HTML escaping happens where they render)."""

from __future__ import annotations

from typing import Any

import pandas as pd

OUTCOMES = {"passed": "Passed", "failed": "Failed", "unsupported": "Not supported"}


def when(value: Any) -> str:
    """'2026-11-25 15:40 UTC', or '' for a missing time."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")


def last_test(outcome: Any, at: Any) -> str:
    if outcome is None or outcome is pd.NA or (isinstance(outcome, float) and pd.isna(outcome)):
        return "Never tested"
    return f"{OUTCOMES.get(str(outcome), str(outcome))}, {when(at)}"


def names(values: list[str], limit: int = 3) -> str:
    if not values:
        return "—"
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more
