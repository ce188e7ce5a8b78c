"""The SMS Gateways page: the accounts list, Setup/Create SMS Gateway, and each row's actions."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..errors import SmsgwError
from .account_form import AccountForm
from .accounts_table import AccountsTable
from .base import Composite, button, close_tree, show
from .delete_dialog import DeleteDialog
from .delivered_option import DeliveredOption
from .messages import KEY_NEEDED, can_use_secrets, error_text, notice_html
from .test_dialog import TestConnectionDialog
from .test_many import TestManyPanel

EMPTY = ("<h3>No SMS gateway account yet</h3>"
         "<p>This page lists the SMS gateway accounts the identity platform texts verification codes and "
         "password-reset links through: create, edit, set as default, test and delete them here.</p>"
         "<p>Start with <b>Setup SMS Gateway</b> above: choose the provider (gateway type), enter the "
         "credentials it gave you, and try them with <b>Test Connection</b> before you save. The first "
         "account you mark <b>Set as default account</b> is linked to every identity store created after.</p>")


class GatewaysPage(Composite):
    """Lists accounts; opens the create/edit form, the Test Connection dialog and the delete dialog."""

    def __init__(self, admin: Any, *, page_size: int | None = None):
        super().__init__()
        self.admin = admin
        self.form: AccountForm | None = None
        self.dialog: TestConnectionDialog | DeleteDialog | None = None
        self.create_button = button("Create SMS Gateway", self.open_create, style="primary",
                                    classes=("smsgw-create-gateway",))
        self.notice = w.HTML("")
        self.notice.add_class("smsgw-notice-area")
        self.table = AccountsTable(self._fetch, {
            "Edit": self.open_edit, "Test Connection": self.open_test,
            "Set as default": self.set_default, "Delete": self.open_delete,
        }, on_select=lambda names: self.test_many.selection_changed(names),
            **({"page_size": page_size} if page_size else {}))
        self.test_many = TestManyPanel(admin, lambda: set(self.table.selected),
                                       on_done=lambda _reports: self.refresh())
        self.empty = w.HTML(EMPTY)
        self.empty.add_class("smsgw-empty")
        self.dialog_slot = w.VBox([])
        self.list_view = w.VBox([w.HTML("<h2>SMS Gateways</h2>"), self.create_button, self.notice,
                                 self.dialog_slot, self.empty, self.table.root, self.test_many.root])
        self.root = w.VBox([self.list_view])
        self.root.add_class("smsgw-page")
        self.root.add_class("smsgw-page-gateways")
        if not can_use_secrets(admin):
            self.create_button.disabled, self.create_button.tooltip = True, KEY_NEEDED
            self.say(KEY_NEEDED, "warning")
        self.refresh()

    def refresh(self) -> None:
        """Reload the list from the service; the button says Setup when there is no account yet."""
        self.table.reload()
        label = "Create SMS Gateway" if self.table.count else "Setup SMS Gateway"
        self.create_button.description = label
        self.create_button.tooltip = label if can_use_secrets(self.admin) else KEY_NEEDED
        show(self.empty, not self.table.count)
        show(self.table.root, bool(self.table.count))
        show(self.test_many.root, bool(self.table.count))

    def reset(self) -> None:
        """Back to the list (closing a form, forgetting what was typed, or a dialog), reloaded."""
        self.close_dialog()
        if self.form is not None:
            self.form.cancel()
        else:
            self.refresh()

    def data_changed(self) -> None:
        """Someone (here or elsewhere) changed the data: reload the list unless a form is open."""
        if self.form is None:
            self.refresh()

    def _fetch(self, search: str | None, offset: int, limit: int):
        return self.admin.accounts_page(search=search, offset=offset, limit=limit)

    def say(self, text: str, kind: str = "success") -> None:
        self.notice.value = notice_html(text, kind)

    # Form ----------------------------------------------------------------------------------

    def open_create(self) -> AccountForm:
        return self._open_form(None)

    def open_edit(self, row: Any) -> AccountForm | None:
        try:
            account = self.admin.get_account(int(row.id))
        except SmsgwError as exc:
            self.say(error_text(exc), "error")
            return None
        return self._open_form(account)

    def _open_form(self, account: Any) -> AccountForm:
        self.close_dialog()
        self.form = AccountForm(self.admin, account, on_done=self._form_done)
        self.root.children = [self.form.root]
        return self.form

    def _form_done(self, saved: Any) -> None:
        form, self.form = self.form, None
        self.root.children = [self.list_view]
        if form is not None:
            form.close()
        if saved is not None:
            created = form is not None and form.account is None
            self.say(f"SMS gateway account '{saved.name}' {'created' if created else 'saved'}.")
        self.refresh()

    # Row actions ---------------------------------------------------------------------------

    def set_default(self, row: Any) -> None:
        try:
            account = self.admin.set_default(int(row.id))
        except SmsgwError as exc:
            self.say(error_text(exc), "error")
        else:
            self.say(f"'{account.name}' is now the default account for new identity stores.")
        self.refresh()

    def open_test(self, row: Any) -> TestConnectionDialog | None:
        if not can_use_secrets(self.admin):
            self.say(KEY_NEEDED, "warning")
            return None
        account_id = int(row.id)
        delivered = DeliveredOption()  # the optional, bounded Delivered stage
        dialog = TestConnectionDialog(lambda phone: self.admin.test_connection(account_id, phone,
                                                                               **delivered.options()),
                                      subject=row.name, on_close=self.close_dialog,
                                      on_done=lambda _report: self._tested(delivered))
        dialog.delivered = delivered
        dialog.root.children = (*dialog.root.children[:3], delivered.root, *dialog.root.children[3:])
        return self._show_dialog(dialog)

    def _tested(self, delivered: DeliveredOption) -> None:
        delivered.done()
        self.refresh()

    def open_delete(self, row: Any) -> DeleteDialog:
        dialog = DeleteDialog(self.admin, int(row.id), row.name, version=int(row.version),
                              on_close=self._delete_closed)
        dialog.root.add_class("smsgw-overlay")
        return self._show_dialog(dialog)

    def _delete_closed(self, deleted: bool) -> None:
        dialog = self.dialog if isinstance(self.dialog, DeleteDialog) else None
        name, notice = (dialog.name, dialog.notice) if dialog else ("", None)
        self.close_dialog()
        if deleted:
            self.say(f"SMS gateway account '{name}' deleted.{' ' + notice if notice else ''}",
                     "warning" if notice else "success")
            self.refresh()

    def _show_dialog(self, dialog: Any) -> Any:
        self.close_dialog()
        self.notice.value = ""
        self.dialog = dialog
        self.dialog_slot.children = [dialog.root]
        return dialog

    def close_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            self.dialog_slot.children = []
            dialog.close()

    def close(self) -> None:
        self.close_dialog()
        if self.form is not None:
            self.form.close()
        self.test_many.close()
        self.table.close()
        close_tree(self.list_view)  # not under root while the form is open
        super().close()
