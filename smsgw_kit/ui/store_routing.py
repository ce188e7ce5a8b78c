"""A store's Fallback accounts (ordered), Country routes, Route preview and Send test code, beside its link."""

from __future__ import annotations

import html
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import ipywidgets as w

from ..errors import SmsgwError
from .base import Composite, button, close_tree
from .fields import Field
from .messages import error_text, notice_html

BUSY = '<span class="smsgw-spinner"></span> Sending a test code… the notebook stays usable meanwhile.'
OUTCOME_WORDS = {"sent": ("Sent", "success"), "may_have_been_sent": ("May have been sent", "warning"),
                 "failed": ("Not sent", "error"), "no_account": ("No account", "error")}


def _table(headers: tuple[str, ...], rows: list[tuple[Any, ...]], cls: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="smsgw-table {cls}"><tr>{head}</tr>{body}</table>'


class StoreRoutingPanel(Composite):
    """Every change goes straight to the service (audited there); the panel only shows its answers."""

    def __init__(self, admin: Any, store: str, account_names: list[str]):
        super().__init__()
        self.admin, self.store, self.account_names = admin, store, account_names
        self.fallbacks: list[str] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smsgw-send-test-code")
        self._sending: Future | None = None
        self.notice = w.HTML("")
        self.notice.add_class("smsgw-routing-notice")
        self.fallback_rows = w.VBox([])
        self.fallback_rows.add_class("smsgw-fallback-rows")
        wide = {"description_width": "initial"}
        self.fallback_choice = w.Dropdown(options=account_names, value=None, description="Fallback account",
                                          style=wide)
        self.add_fallback_button = button("Add fallback", self.add_fallback, classes=("smsgw-add-fallback",))
        self.route_rows = w.VBox([])
        self.route_rows.add_class("smsgw-route-rows")
        self.country = Field.text("country", "Country", placeholder="calling code or region: 44, +92, CA")
        self.route_account = w.Dropdown(options=account_names, value=None, description="Route account", style=wide)
        self.add_route_button = button("Add route", self.add_route, classes=("smsgw-add-route",))
        self.preview_phone = Field.text("phone", "Mobile number", placeholder="447079692712")
        self.preview_button = button("Preview route", self.preview, classes=("smsgw-preview-route",))
        self.preview_out = w.HTML("")
        self.preview_out.add_class("smsgw-route-preview")
        self.send_button = button("Send test code", self.send_test_code, style="",
                                  classes=("smsgw-send-test-code",))
        self.send_out = w.HTML("")
        self.send_out.add_class("smsgw-send-report")
        self.root = w.VBox([
            w.HTML("<h4>Fallback accounts</h4><span class='smsgw-hint'>Tried in this order when the route "
                   "and the linked account cannot take a code.</span>"),
            self.fallback_rows, w.HBox([self.fallback_choice, self.add_fallback_button]),
            w.HTML("<h4>Country routes</h4><span class='smsgw-hint'>Numbers of a country go first through "
                   "its account (a region such as CA before its calling code 1).</span>"),
            self.route_rows, w.HBox([self.country.root, self.route_account, self.add_route_button]),
            w.HTML("<h4>Route preview</h4>"), w.HBox([self.preview_phone.root, self.preview_button, self.send_button]),
            self.preview_out, self.send_out, self.notice,
        ])
        self.root.add_class("smsgw-store-routing")
        self.refresh()

    # Showing -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        info = self.admin.store_routing(self.store)
        self.fallbacks = list(info.fallbacks)
        self._replace(self.fallback_rows, [self._fallback_row(i, n) for i, n in enumerate(self.fallbacks)]
                      or [w.HTML("<span class='smsgw-hint'>No fallback accounts.</span>")])
        self._replace(self.route_rows, [self._route_row(c, a) for c, a in info.routes]
                      or [w.HTML("<span class='smsgw-hint'>No country routes.</span>")])

    @staticmethod
    def _replace(box: w.Box, children: list[w.Widget]) -> None:
        old = box.children
        box.children = children
        for child in old:
            close_tree(child)

    def _fallback_row(self, index: int, name: str) -> w.HBox:
        up = button("Up", lambda: self.move(name, -1), classes=("smsgw-fallback-up",))
        down = button("Down", lambda: self.move(name, 1), classes=("smsgw-fallback-down",))
        remove = button("Remove", lambda: self.remove_fallback(name), classes=("smsgw-fallback-remove",))
        up.disabled, down.disabled = index == 0, index == len(self.fallbacks) - 1
        row = w.HBox([w.HTML(f'<div class="smsgw-cell smsgw-fallback-name">{index + 1}. {html.escape(name)}</div>'),
                      up, down, remove])
        row.add_class("smsgw-row")
        return row

    def _route_row(self, country: str, account: str) -> w.HBox:
        remove = button("Remove", lambda: self.remove_route(country), classes=("smsgw-route-remove",))
        text = f"{html.escape(country)} → {html.escape(account)}"
        row = w.HBox([w.HTML(f'<div class="smsgw-cell smsgw-route">{text}</div>'), remove])
        row.add_class("smsgw-row")
        return row

    def _call(self, action, done: str) -> bool:
        """Run one service call; show its refusal or `done`, then show the saved state."""
        try:
            action()
        except SmsgwError as exc:
            self.notice.value = notice_html(error_text(exc), "error")
            return False
        self.notice.value = notice_html(done, "success")
        self.refresh()
        return True

    # Changing ----------------------------------------------------------------------------------

    def add_fallback(self) -> bool:
        name = self.fallback_choice.value
        if not name:
            self.notice.value = notice_html("Choose an account to add as a fallback.", "error")
            return False
        return self._call(lambda: self.admin.set_fallbacks(self.store, [*self.fallbacks, name]),
                          f"'{name}' added as fallback {len(self.fallbacks) + 1}.")

    def move(self, name: str, step: int) -> bool:
        order = list(self.fallbacks)
        i = order.index(name)
        order.insert(max(0, min(len(order) - 1, i + step)), order.pop(i))
        return self._call(lambda: self.admin.set_fallbacks(self.store, order), "Fallback order saved.")

    def remove_fallback(self, name: str) -> bool:
        order = [n for n in self.fallbacks if n != name]
        return self._call(lambda: self.admin.set_fallbacks(self.store, order), f"'{name}' is no longer a fallback.")

    def add_route(self) -> bool:
        self.country.set_error("")
        account, country = self.route_account.value, self.country.value
        try:
            if not account:
                self.notice.value = notice_html("Choose the account for this route.", "error")
                return False
            self.admin.set_route(self.store, country, account)
        except SmsgwError as exc:
            self.country.set_error(error_text(exc, self.country.label))
            return False
        self.notice.value = notice_html(f"Numbers of {country.strip()} now go first through '{account}'.", "success")
        self.country.value = ""
        self.refresh()
        return True

    def remove_route(self, country: str) -> bool:
        code = country.split(" ")[0]
        return self._call(lambda: self.admin.remove_route(self.store, code), f"Route for {country} removed.")

    # Trying ------------------------------------------------------------------------------------

    def preview(self) -> list | None:
        self.preview_phone.set_error("")
        try:
            order = self.admin.route_preview(self.store, self.preview_phone.value)
        except SmsgwError as exc:
            self.preview_phone.set_error(error_text(exc, self.preview_phone.label))
            return None
        if not order:
            self.preview_out.value = notice_html("No account would take this number: link an account, add a "
                                                 "fallback or a country route.", "error")
            return order
        rows = [(c.position, c.account, c.gateway_type, c.role, c.why) for c in order]
        self.preview_out.value = _table(("#", "Account", "Gateway Type", "Role", "Why"), rows, "smsgw-preview-table")
        return order

    def send_test_code(self) -> Future | None:
        """Send one real code through the store's route in the background (a provider may take its
        whole read timeout); the report then shows every attempt. None while one is still running."""
        if self._sending is not None and not self._sending.done():
            return None
        self.preview_phone.set_error("")
        self.send_button.disabled = True
        self.send_out.value = BUSY
        self._sending = self._pool.submit(self._send, self.preview_phone.value)
        return self._sending

    def wait(self, timeout: float | None = 60) -> Any:
        """The report of the last Send test code (blocks until it has finished)."""
        return self._sending.result(timeout) if self._sending is not None else None

    def _send(self, phone: str) -> Any:
        try:
            report = self.admin.send_code(self.store, phone)
        except SmsgwError as exc:
            self.send_out.value = ""
            self.preview_phone.set_error(error_text(exc, self.preview_phone.label))
            return None
        except Exception as exc:  # noqa: BLE001 - shown to the operator; a worker thread must not die silently
            self.send_out.value = notice_html(f"Send test code could not run: {error_text(exc)}", "error")
            return None
        finally:
            self.send_button.disabled = False
        self._show(report)
        return report

    def _show(self, report: Any) -> None:
        words, kind = OUTCOME_WORDS[report.outcome]
        hint = f" The code ends in {report.code[-2:]}." if report.may_have_been_sent else ""
        rows = [(a.position, a.account, a.role, a.stage, a.outcome.replace("_", " "), a.reason, f"{a.duration_ms:g} ms")
                for a in report.attempts]
        self.send_out.value = (notice_html(f"{words}: {report.summary}{hint}", kind)
                               + (_table(("#", "Account", "Role", "Stage", "Outcome", "Reason", "Time"), rows,
                                         "smsgw-attempts-table") if rows else ""))

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        super().close()
