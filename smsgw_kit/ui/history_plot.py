"""Test outcomes over time, one line per account, as a small inline SVG (no CDN, no canvas: works offline)."""

from __future__ import annotations

import html
from typing import cast

import pandas as pd

from .format import OUTCOMES, when

MAX_ACCOUNTS = 20
LEFT, RIGHT, ROW, TOP, WIDTH = 150, 16, 22, 30, 760


def _x(at: pd.Timestamp, start: pd.Timestamp, span: float) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * ((at - start).total_seconds() / span if span else 0.5)


def history_svg(frame: pd.DataFrame) -> str:
    """One dot per test run (account on the y axis, time on the x axis, colour by outcome), each with a
    tooltip; the same rows as the History table. Empty string when there is nothing to plot."""
    runs = frame.dropna(subset=["started_at"])
    if runs.empty:
        return ""
    names = list(dict.fromkeys(runs.sort_values("account_name")["account_name"].astype(str)))[:MAX_ACCOUNTS]
    runs = runs[runs["account_name"].astype(str).isin(names)]
    start, end = runs["started_at"].min(), runs["started_at"].max()
    span = (end - start).total_seconds()
    height = TOP + ROW * len(names) + 24
    parts = [(f'<svg class="smsgw-plot" role="img" width="{WIDTH}" height="{height}" '
              f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'),
             "<title>Test Connection outcomes over time, per account</title>"]
    for outcome, label in OUTCOMES.items():
        x = LEFT + 130 * list(OUTCOMES).index(outcome)
        parts.append(f'<circle class="smsgw-plot-{outcome}" cx="{x}" cy="12" r="5"/>'
                     f'<text x="{x + 9}" y="16">{label}</text>')
    for i, name in enumerate(names):
        y = TOP + ROW * i + ROW / 2
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>'
                     f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end">{html.escape(name[:22])}</text>')
        for run in runs[runs["account_name"].astype(str) == name].itertuples(index=False):
            outcome = str(run.outcome)
            tip = f"{name}: {OUTCOMES.get(outcome, outcome)}, {when(run.started_at)}"
            parts.append(f'<circle class="smsgw-plot-run smsgw-plot-{html.escape(outcome)}" '
                         f'cx="{_x(cast(pd.Timestamp, run.started_at), start, span):.1f}" cy="{y}" r="5">'
                         f"<title>{html.escape(tip)}</title></circle>")
    axis_y = TOP + ROW * len(names) + 16
    parts.append(f'<text x="{LEFT}" y="{axis_y}">{html.escape(when(start))}</text>')
    if span:
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{axis_y}" text-anchor="end">{html.escape(when(end))}</text>')
    parts.append("</svg>")
    return "".join(parts)
