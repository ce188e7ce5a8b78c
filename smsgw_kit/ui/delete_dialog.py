"""Delete an SMS gateway account: a linked one is refused at once, naming its stores; others are confirmed."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..errors import AccountLinked, SmsgwError
from .base import Composite, button, show
from .messages import error_text, notice_html

NO_DEFAULT_WARNING = ("This is the default account. After deleting it there is no default, so identity stores "
                      "created from now on have no SMS gateway account until another account is made the default.")


class DeleteDialog(Composite):
    """Asks the service whether the account can go; refuses at once if linked, else asks to confirm."""

    def __init__(self, admin: Any, account_id: int, name: str, *, version: int | None = None,
                 on_close: Callable[[bool], None] | None = None):
        super().__init__()
        self.admin, self.account_id, self.name, self.version = admin, account_id, name, version
        self._on_close = on_close
        self.deleted = False
        self.notice: str | None = None  # what the service said about the deletion (e.g. no default left)
        self.refused_stores: list[str] = []
        self.question = w.HTML(f"<p>Delete the SMS gateway account <b>{html.escape(name)}</b>? "
                               "This cannot be undone.</p>")
        self.message = w.HTML("")
        self.message.add_class("smsgw-delete-message")
        self.confirm = button("Delete", self.delete, style="danger", classes=("smsgw-confirm-delete",))
        self.cancel = button("Cancel", self.dismiss, classes=("smsgw-cancel",))
        self.root = w.VBox([w.HTML("<h3>Delete SMS Gateway</h3>"), self.question, self.message,
                            w.HBox([self.confirm, self.cancel])])
        self.root.add_class("smsgw-dialog")
        self.root.add_class("smsgw-delete-dialog")
        try:
            admin.check_deletable(account_id)
            if admin.get_account(account_id).is_default:
                self.message.value = notice_html(NO_DEFAULT_WARNING, "warning")
        except SmsgwError as exc:
            self._refuse(exc)

    def delete(self) -> bool:
        try:
            self.notice = self.admin.delete_account(self.account_id, expected_version=self.version).notice
        except SmsgwError as exc:  # linked meanwhile, changed or gone: the service says which
            self._refuse(exc)
            return False
        self.deleted = True
        self.dismiss()
        return True

    def _refuse(self, exc: SmsgwError) -> None:
        if isinstance(exc, AccountLinked):
            self.refused_stores = exc.stores
        show(self.question, False)
        show(self.confirm, False)
        self.cancel.description = self.cancel.tooltip = "Close"
        self.message.value = notice_html(error_text(exc), "error")

    def dismiss(self) -> None:
        if self._on_close:
            self._on_close(self.deleted)
        self.close()
