"""The Audit page: the audit trail filtered by account or store, action, who and time range."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from ..errors import SmsgwError
from .base import Composite, button
from .frame_table import TIME_RANGES, since, table_html
from .messages import notice_html

COLUMNS = {"at": "When", "actor": "Who", "action": "Action", "object_kind": "Kind", "object_name": "Name",
           "before": "Before", "after": "After"}
ACTIONS = {
    "Any action": None, "Accounts (all)": "account.", "Account created": "account.create",
    "Account modified": "account.modify", "Default set": "account.set_default",
    "Default cleared": "account.clear_default", "Account deleted": "account.delete",
    "Identity stores (all)": "store.", "Store created": "store.create", "Store linked": "store.link",
    "Store unlinked": "store.unlink", "SMS text changed": "store.set_sms_text", "Store deleted": "store.delete",
    "Key rotation": "keys.",
}


class AuditPage(Composite):
    """Audit events from GatewayAdmin.audit_frame, as an escaped table."""

    def __init__(self, admin: Any):
        super().__init__()
        self.admin = admin
        self.frame = pd.DataFrame()
        self.name = w.Text(description="Account/Store", placeholder="any", continuous_update=False)
        self.action = w.Dropdown(description="Action", options=list(ACTIONS))
        self.who = w.Text(description="Who", placeholder="anyone", continuous_update=False)
        self.time_range = w.Dropdown(description="Time range", options=list(TIME_RANGES))
        for widget in (self.name, self.action, self.who, self.time_range):
            self.observe(widget, lambda _c: self.refresh())
        self.table = w.HTML("")
        self.table.add_class("smsgw-audit-table")
        self.root = w.VBox([w.HTML("<h2>Audit</h2>"),
                            w.HBox([self.name, self.action]), w.HBox([self.who, self.time_range]),
                            button("Refresh", self.refresh, classes=("smsgw-refresh",)), self.table])
        self.root.add_class("smsgw-page")
        self.root.add_class("smsgw-page-audit")
        self.refresh()

    def refresh(self) -> None:
        try:
            self.frame = self.admin.audit_frame(
                actor=self.who.value.strip() or None, action=ACTIONS[self.action.value],
                object_name=self.name.value.strip() or None, since=since(self.time_range.value),
            )
        except SmsgwError as exc:
            self.table.value = notice_html(str(exc), "error")
            return
        self.table.value = table_html(self.frame, COLUMNS, times=("at",))
