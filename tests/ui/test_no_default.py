"""The pages say when there is, or will be, no default account for new identity stores."""

from __future__ import annotations

from smsgw_kit.ui import GatewaysPage, IdentityStoresPage

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


def _row(page: GatewaysPage, name: str):
    return next(r for r in page.table.records() if r.name == name)


def test_the_store_form_warns_when_a_store_is_created_without_a_default(sqlite_admin, text_of):
    page = IdentityStoresPage(sqlite_admin)
    page.name.input.set_state({"value": "Corp AD"})
    page.create_button.click()
    assert "smsgw-warning" in page.notice.value
    assert "There is no default SMS gateway account" in text_of(page.notice)
    page.close()


def test_the_delete_dialog_warns_before_the_default_account_goes_and_the_page_says_it_after(sqlite_admin, text_of):
    sqlite_admin.create_account(name="Primary", set_default=True, **NEXMO)
    sqlite_admin.create_account(name="Backup", **NEXMO)
    page = GatewaysPage(sqlite_admin)
    quiet = page.open_delete(_row(page, "Backup"))
    assert text_of(quiet.message) == ""
    quiet.dismiss()
    dialog = page.open_delete(_row(page, "Primary"))
    assert "This is the default account" in text_of(dialog.message)
    assert "until another account is made the default" in text_of(dialog.message)
    dialog.confirm.click()
    notice = text_of(page.notice)
    assert "'Primary' deleted" in notice and "there is no default now" in notice
    assert "smsgw-warning" in page.notice.value
    page.close()
