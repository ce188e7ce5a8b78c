"""A read-only (keyless) Admin Center: every page opens; what needs a key is disabled and says so."""

from __future__ import annotations

from smsgw_kit import GatewayAdmin
from smsgw_kit.ui import AdminCenter
from smsgw_kit.ui.account_form import AccountForm
from smsgw_kit.ui.messages import KEY_NEEDED


def test_an_auditor_opens_every_page_and_cannot_test_or_save(sqlite_admin):
    sqlite_admin.create_account(name="Primary", gateway_type="Nexmo", user_name="k", password="Ro-pw-31",
                                sender_id="G", set_default=True)
    sqlite_admin.create_identity_store(name="Corp AD")
    auditor = GatewayAdmin(sqlite_admin.db, read_only=True)
    center = AdminCenter(auditor)
    try:
        page = center.open("SMS Gateway")
        assert page.table.count == 1
        assert page.create_button.disabled and "encryption key" in page.notice.value
        row = auditor.accounts_frame().iloc[0]
        assert page.open_test(row) is None and page.dialog is None
        form = AccountForm(auditor, auditor.get_account("Primary"))
        assert form.submit_button.disabled and form.test_button.disabled
        assert form.test_button.tooltip == KEY_NEEDED
        form.close()
        for name in ("Identity Stores", "History", "Audit"):
            center.open(name)
        assert len(center.page.query()) == 3  # the audit trail: create, set default, store
    finally:
        center.close()
