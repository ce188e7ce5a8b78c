"""A Test Connection report as HTML: the verdict, then each stage with its outcome, time and reason."""

from __future__ import annotations

import html
from typing import Any

STAGE_LABELS = {"proxy": "Proxy", "connection": "Connection", "credentials": "Credentials", "message": "Test message",
                "delivered": "Delivered"}
OUTCOME_LABELS = {"passed": "Passed", "failed": "Failed", "skipped": "Skipped", "unsupported": "Not supported"}


def report_html(report: Any) -> str:
    """The report's summary and stage-by-stage table, every value escaped."""
    outcome = report.outcome
    rows = "".join(
        f'<tr class="smsgw-stage smsgw-stage-{html.escape(s.outcome)}">'
        f"<td>{html.escape(STAGE_LABELS.get(s.name, s.name))}</td>"
        f"<td>{html.escape(OUTCOME_LABELS.get(s.outcome, s.outcome))}</td>"
        f"<td>{s.duration_ms:.0f} ms</td><td>{html.escape(s.reason)}</td></tr>"
        for s in report.stages
    )
    table = (f'<table class="smsgw-stages"><thead><tr><th>Stage</th><th>Result</th><th>Time</th>'
             f"<th>Details</th></tr></thead><tbody>{rows}</tbody></table>") if rows else ""
    message_id = f"<div>Message ID: {html.escape(report.message_id)}</div>" if report.message_id else ""
    return (f'<div class="smsgw-report smsgw-report-{html.escape(outcome)}">'
            f'<div class="smsgw-report-outcome">{html.escape(OUTCOME_LABELS.get(outcome, outcome))} '
            f"in {report.duration_ms:.0f} ms</div>"
            f'<div class="smsgw-report-summary">{html.escape(report.summary)}</div>{message_id}{table}</div>')
