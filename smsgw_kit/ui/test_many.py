"""Test Connection for many accounts at once: all, or the ticked ones, with progress, cancel and a summary."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import ipywidgets as w

from ..errors import SmsgwError
from .base import Composite, button, show
from .fields import Field
from .kernel import KernelThread
from .messages import error_text, notice_html
from .report import STAGE_LABELS
from .test_dialog import PHONE_EXAMPLE


def failed_stage(report: Any) -> str:
    """The label of the first stage that failed ('' when none did)."""
    stage = next((s for s in report.stages if s.outcome == "failed"), None)
    return STAGE_LABELS.get(stage.name, stage.name) if stage else ""


def summary_html(reports: dict[str, Any], cancelled: bool, total: int) -> str:
    """'9 passed, 1 failed' and a table of the failures with the stage each failed at."""
    failed = {name: r for name, r in reports.items() if r.outcome == "failed"}
    counts = f"{len(reports) - len(failed)} passed or not supported, {len(failed)} failed"
    if cancelled:
        counts += f"; cancelled: {total - len(reports)} not run"
    head = notice_html(f"Tested {len(reports)} of {total}: {counts}.", "error" if failed else "success")
    if not failed:
        return head
    rows = "".join(f"<tr><td>{html.escape(name)}</td><td>{html.escape(failed_stage(r))}</td>"
                   f"<td>{html.escape(r.summary)}</td></tr>" for name, r in failed.items())
    return (head + '<table class="smsgw-table smsgw-failures"><thead><tr><th>Account</th><th>Failed at</th>'
            f"<th>Details</th></tr></thead><tbody>{rows}</tbody></table>")


class TestManyPanel(Composite):
    """Runs `admin.test_accounts` in a worker thread; progress reaches the widgets on the kernel thread.

    `selected()` gives the ticked account names; `on_done(reports)` runs (on the kernel thread) after the
    summary is shown. `wait()` blocks until the running batch has finished.
    """

    __test__ = False  # not a pytest class

    def __init__(self, admin: Any, selected: Callable[[], set[str]], *,
                 on_done: Callable[[dict[str, Any]], None] | None = None):
        super().__init__()
        self.admin, self._selected, self._on_done = admin, selected, on_done
        self._kernel = KernelThread()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smsgw-test-many")
        self._future: Future | None = None
        self._cancel = threading.Event()
        self.reports: dict[str, Any] = {}
        self.phone = Field.text("phone", "Mobile Number", placeholder=f"optional, e.g. {PHONE_EXAMPLE}")
        self.phone.input.tooltip = "Leave empty to check proxy, connection and credentials without sending."
        self.all_button = button("Test Connection: all accounts", lambda: self.start(None),
                                 classes=("smsgw-test-all",))
        self.selected_button = button("Test Connection: selected", lambda: self.start(sorted(self._selected())),
                                      classes=("smsgw-test-selected",))
        self.cancel_button = button("Cancel tests", self.cancel, classes=("smsgw-cancel-tests",))
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="260px"))
        self.progress.add_class("smsgw-progress")
        self.progress_text = w.Label("")
        self.progress_text.add_class("smsgw-progress-text")
        self.summary = w.HTML("")
        self.summary.add_class("smsgw-test-many-summary")
        self.running_row = w.HBox([self.progress, self.progress_text, self.cancel_button])
        show(self.running_row, False)
        self.root = w.VBox([self.phone.root, w.HBox([self.all_button, self.selected_button]), self.running_row,
                            self.summary])
        self.root.add_class("smsgw-test-many")
        self.selection_changed(set())

    def selection_changed(self, names: set[str]) -> None:
        self.selected_button.description = self.selected_button.tooltip = (
            f"Test Connection: selected ({len(names)})")
        self.selected_button.disabled = not names or self.running

    @property
    def running(self) -> bool:
        return self._future is not None and not self._future.done()

    def start(self, which: list[str] | None) -> Future | None:
        """Test `which` accounts (None: all); returns the future, or None if a batch is already running."""
        if self.running:
            return None
        self.phone.set_error("")
        self.summary.value = ""
        self._cancel = threading.Event()
        total = len(which) if which is not None else None
        self._set_running(True, total)
        self._future = self._pool.submit(self._work, which, self.phone.value.strip() or None, self._cancel)
        return self._future

    def _work(self, which: list[str] | None, phone: str | None, cancel: threading.Event) -> dict[str, Any]:
        def progress(done: int, total: int, _name: Any, _report: Any) -> None:
            self._kernel.call(lambda: self._progress(done, total))
        try:
            reports = self.admin.test_accounts(which, phone, on_progress=progress, cancel=cancel)
        except SmsgwError as exc:
            problem = exc  # unbound after the except block; the lambda runs later
            self._kernel.call(lambda: self._refused(problem))
            return {}
        self._kernel.call(lambda: self._finished(reports, cancel.is_set(), which))
        return reports

    def _progress(self, done: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = done
        self.progress_text.value = f"{done} of {total} tested"

    def _refused(self, exc: SmsgwError) -> None:
        self._set_running(False)
        if getattr(exc, "field", None) == "phone":
            self.phone.set_error(error_text(exc, "Mobile Number"))
        else:
            self.summary.value = notice_html(error_text(exc), "error")

    def _finished(self, reports: dict[str, Any], cancelled: bool, which: list[str] | None) -> None:
        self._set_running(False)
        self.reports = reports
        total = len(which) if which is not None else max(self.progress.max, len(reports))
        self.summary.value = summary_html(reports, cancelled, total)
        if self._on_done:
            self._on_done(reports)

    def _set_running(self, flag: bool, total: int | None = None) -> None:
        show(self.running_row, flag)
        self.all_button.disabled = flag
        self.selected_button.disabled = flag or not self._selected()
        self.cancel_button.disabled = not flag
        if flag:
            self.progress.value, self.progress.max = 0, max(total or 1, 1)
            self.progress_text.value = "Starting…"

    def cancel(self) -> None:
        """Stop tests not yet started; the running ones finish and are kept in the history."""
        self._cancel.set()
        self.progress_text.value = "Cancelling: waiting for the tests already running…"
        self.cancel_button.disabled = True

    def wait(self, timeout: float | None = 120) -> dict[str, Any]:
        return self._future.result(timeout) if self._future is not None else {}

    def close(self) -> None:
        self._cancel.set()
        self._pool.shutdown(wait=False)
        super().close()
