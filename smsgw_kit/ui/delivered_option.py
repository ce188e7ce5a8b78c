"""Test Connection's "Delivered" option: wait up to N seconds for the provider's receipt, with progress and Stop."""

from __future__ import annotations

import html
import threading
from typing import Any

import ipywidgets as w

from .base import Composite, button, show

DEFAULT_WAIT = 30
MAX_WAIT = 300


class DeliveredOption(Composite):
    """A checkbox, a time limit, a progress bar and a Stop button; `options()` feeds test_connection."""

    def __init__(self) -> None:
        super().__init__()
        self.enabled = w.Checkbox(value=False, description="Wait until delivered", indent=False)
        self.enabled.add_class("smsgw-wait-delivered")
        self.seconds = w.BoundedIntText(value=DEFAULT_WAIT, min=1, max=MAX_WAIT, description="up to (s)",
                                        layout=w.Layout(width="150px"))
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0, description="Delivered")
        self.progress.add_class("smsgw-delivered-progress")
        self.status = w.HTML("")
        self.status.add_class("smsgw-delivered-status")
        self.stop = button("Stop waiting", self.cancel, classes=("smsgw-stop-waiting",))
        self._cancel = threading.Event()
        for part in (self.progress, self.stop):
            show(part, False)
        self.root = w.VBox([w.HBox([self.enabled, self.seconds]), w.HBox([self.progress, self.stop]), self.status])
        self.root.add_class("smsgw-delivered-option")

    def options(self) -> dict[str, Any]:
        """Keyword arguments for `GatewayAdmin.test_connection`: none unless the box is ticked."""
        if not self.enabled.value:
            return {}
        self._cancel = threading.Event()
        self.progress.value = 0.0
        show(self.progress, True)
        show(self.stop, True)
        return {"wait_delivered": float(self.seconds.value), "on_progress": self._progress, "cancel": self._cancel}

    def _progress(self, waited: float, limit: float, status: Any) -> None:
        self.progress.value = min(1.0, waited / limit) if limit else 1.0
        self.status.value = (f'<span class="smsgw-hint">{waited:.0f} of {limit:.0f} s: '
                             f"{html.escape(status.status)} ({html.escape(status.reason)})</span>")
        if status.final:
            self.done()

    def cancel(self) -> None:
        self._cancel.set()
        self.done()

    def done(self) -> None:
        show(self.stop, False)
