"""The Test SMS Gateway Connection dialog: a mobile number, OK / Cancel, then the stage-by-stage result."""

from __future__ import annotations

import html
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import ipywidgets as w

from ..errors import InvalidInput
from .base import Composite, button, show
from .fields import Field
from .kernel import KernelThread
from .messages import error_text, notice_html
from .report import report_html

TITLE = "Test SMS Gateway Connection"
HINT = ("Enter a mobile phone number for receiving a test message. Use International format, with no "
        "spaces or special characters. For example: 18588123169, 447079692712, 923225867987.")
PHONE_EXAMPLE = "447079692712"  # the one example the hint, the placeholder and phone.ALLOWED share
BUSY = '<span class="smsgw-spinner"></span> Sending the test message… the notebook stays usable meanwhile.'


class TestConnectionDialog(Composite):
    """Asks for a number, runs `run(phone)` in a background thread and shows the report it returns.

    `on_invalid(exc)` receives InvalidInput about anything but the phone (a form field); `on_done(report)`
    is called after a report is shown. `wait()` blocks until the running test has finished. The dialog
    opens over the page (top right), so the result shows without scrolling wherever the page is.
    """

    __test__ = False  # not a pytest class

    def __init__(self, run: Callable[[str], Any], *, subject: str = "", on_close: Callable[[], None] | None = None,
                 on_invalid: Callable[[InvalidInput], None] | None = None,
                 on_done: Callable[[Any], None] | None = None):
        super().__init__()
        self._run, self._on_close, self._on_invalid, self._on_done = run, on_close, on_invalid, on_done
        self._future: Future | None = None
        self._kernel = KernelThread()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smsgw-test-connection")
        self.report: Any = None
        self.delivered: Any = None  # the optional Delivered stage's controls, when the page adds them
        self.phone = Field.text("phone", "Mobile Number", placeholder=PHONE_EXAMPLE)
        self.ok = button("OK", self.submit, style="primary", classes=("smsgw-ok",))
        self.cancel = button("Cancel", self.dismiss, classes=("smsgw-cancel",))
        self.busy = w.HTML(BUSY)
        self.busy.add_class("smsgw-busy")
        show(self.busy, False)
        self.result = w.HTML("")
        self.result.add_class("smsgw-test-result")
        title = html.escape(f"{TITLE}{' — ' + subject if subject else ''}")
        self.root = w.VBox([w.HTML(f"<h3>{title}</h3>"), w.HTML(f'<p class="smsgw-hint">{html.escape(HINT)}</p>'),
                            self.phone.root, w.HBox([self.ok, self.cancel]), self.busy, self.result])
        self.root.add_class("smsgw-dialog")
        self.root.add_class("smsgw-test-dialog")
        self.root.add_class("smsgw-overlay")

    @property
    def running(self) -> bool:
        return self._future is not None and not self._future.done()

    def submit(self) -> Future | None:
        """Start the test on the number typed; returns the future (None if one is already running)."""
        if self.running:
            return None
        phone = self.phone.value
        self.phone.set_error("")
        self.result.value = ""
        self._busy(True)
        self._future = self._pool.submit(self._work, phone)
        return self._future

    def _work(self, phone: str) -> Any:
        """In the worker thread: run the test, then hand the showing of its outcome to the kernel thread."""
        try:
            report = self._run(phone)
        except InvalidInput as exc:
            refused = exc  # `exc` is unbound once the except block ends; the lambda runs later
            self._kernel.call(lambda: self._finish(lambda: self._invalid(refused)))
            return None
        except Exception as exc:  # noqa: BLE001 - shown to the operator; the kernel must never see a stray thread error
            text = notice_html(f"Test Connection could not run: {error_text(exc)}", "error")
            self._kernel.call(lambda: self._finish(lambda: setattr(self.result, "value", text)))
            return None
        self.report = report
        self._kernel.call(lambda: self._finish(lambda: self._show(report)))
        return report

    def _finish(self, show_outcome: Callable[[], None]) -> None:
        self._busy(False)
        show_outcome()

    def _show(self, report: Any) -> None:
        self.result.value = report_html(report)
        if self._on_done:
            self._on_done(report)

    def _invalid(self, exc: InvalidInput) -> None:
        if exc.field == "phone":
            self.phone.set_error(error_text(exc, "Mobile Number"))
            return
        self.result.value = notice_html(f"Fix the form first: {error_text(exc, exc.field)}", "error")
        if self._on_invalid:
            self._on_invalid(exc)

    def _busy(self, flag: bool) -> None:
        show(self.busy, flag)
        self.ok.disabled = flag
        self.phone.input.disabled = flag

    def wait(self, timeout: float | None = 60) -> Any:
        """Block until the running test ends; its report (None if none ran or it was refused)."""
        return self._future.result(timeout) if self._future is not None else None

    def dismiss(self) -> None:
        """Cancel: close the dialog (a running test still finishes and is recorded in the history)."""
        if self._on_close:
            self._on_close()
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        super().close()
