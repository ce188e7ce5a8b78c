"""The Audit page: the audit trail filtered by account or store, action, who and time range."""

from __future__ import annotations

from typing import Any, ClassVar

import ipywidgets as w
import pandas as pd

from .frame_page import FramePage
from .frame_table import TIME_RANGES, since

ACTIONS = {
    "Any action": None, "Accounts (all)": "account.", "Account created": "account.create",
    "Account modified": "account.modify", "Default set": "account.set_default",
    "Default cleared": "account.clear_default", "Account deleted": "account.delete",
    "Identity stores (all)": "store.", "Store created": "store.create", "Store linked": "store.link",
    "Store unlinked": "store.unlink", "SMS text changed": "store.set_sms_text", "Store deleted": "store.delete",
    "Key rotation": "keys.",
}


class AuditPage(FramePage):
    """Audit events from GatewayAdmin.audit_frame (filtered by the service)."""

    TITLE, KIND, TIMES = "Audit", "audit", ("at",)
    COLUMNS: ClassVar[dict[str, str]] = {"at": "When", "actor": "Who", "action": "Action", "object_kind": "Kind", "object_name": "Name",
               "before": "Before", "after": "After"}

    def __init__(self, admin: Any):
        self.name = w.Text(description="Account/Store", placeholder="any", continuous_update=False)
        self.action = w.Dropdown(description="Action", options=list(ACTIONS))
        self.who = w.Text(description="Who", placeholder="anyone", continuous_update=False)
        self.time_range = w.Dropdown(description="Time range", options=list(TIME_RANGES))
        super().__init__(admin, [self.name, self.action, self.who, self.time_range])

    def query(self) -> pd.DataFrame:
        return self.admin.audit_frame(
            actor=self.who.value.strip() or None, action=ACTIONS[self.action.value],
            object_name=self.name.value.strip() or None, since=since(self.time_range.value),
        )
