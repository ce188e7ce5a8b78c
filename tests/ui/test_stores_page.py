"""Identity Stores: create (auto-linked to the default), and each store's SMS Authentication settings."""

from __future__ import annotations

import pytest

from smsgw_kit import DEFAULT_SMS_TEXT
from smsgw_kit.ui import IdentityStoresPage
from smsgw_kit.ui.sms_auth import NO_ACCOUNT, segment_text


@pytest.fixture
def accounts(sqlite_admin, emu):
    fields = {k: v for k, v in emu.account_settings("Nexmo").items() if v is not None}
    sqlite_admin.create_account(name="Primary", gateway_type="Nexmo", set_default=True, **fields)
    sqlite_admin.create_account(name="Backup", gateway_type="Nexmo", **fields)
    return sqlite_admin


def linked_cell(page: IdentityStoresPage, store: str, text_of) -> str:
    index = [s.name for s in page.stores].index(store)
    return text_of(page.rows.children[index].children[2])


def test_a_new_store_shows_the_default_account_linked(accounts, text_of):
    page = IdentityStoresPage(accounts)
    page.name.input.set_state({"value": "Corp AD"})
    page.create_button.click()
    assert "linked to the default account 'Primary'" in text_of(page.notice)
    assert linked_cell(page, "Corp AD", text_of) == "Primary"
    assert page.name.value == ""
    page.close()


def test_a_store_created_without_a_default_is_not_linked(admin, text_of):
    page = IdentityStoresPage(admin)
    page.name.input.set_state({"value": "Corp AD"})
    page.create_button.click()
    assert "not linked" in text_of(page.notice)
    assert linked_cell(page, "Corp AD", text_of) == "—"
    assert admin.get_identity_store("Corp AD").gateway_account_id is None
    page.close()


@pytest.mark.parametrize(("name", "words"), [("", "Name is empty"), ("corp ad", "already named 'corp ad'")])
def test_store_name_errors_appear_next_to_name(accounts, name, words, text_of):
    accounts.create_identity_store(name="Corp AD")
    page = IdentityStoresPage(accounts)
    page.name.input.set_state({"value": name})
    page.create_button.click()
    assert words in text_of(page.name.error)
    assert [s.name for s in accounts.list_identity_stores()] == ["Corp AD"]
    page.close()


def test_sms_authentication_preselects_the_current_link_and_text(accounts):
    accounts.create_identity_store(name="Corp AD")
    page = IdentityStoresPage(accounts)
    panel = page.open_sms_auth("Corp AD")
    assert panel.account.value == "Primary"
    assert [label for label, _ in panel.account.input.options] == [NO_ACCOUNT, "Backup", "Primary"]
    assert panel.text.value == DEFAULT_SMS_TEXT
    assert "GSM-7" in panel.count.value and "1 SMS segment" in panel.count.value
    page.close()


def test_segment_count_follows_the_text_live(accounts):
    accounts.create_identity_store(name="Corp AD")
    panel = IdentityStoresPage(accounts).open_sms_auth("Corp AD")
    panel.text.input.set_state({"value": "Ihr Code: [Code] 🙂"})
    assert "UCS-2" in panel.count.value
    panel.text.input.set_state({"value": "[Code] " + "x" * 200})
    # [ and ] are in GSM-7's extension table: two septets each
    assert segment_text("[Code] " + "x" * 200) == "GSM-7 · 209 characters · 2 SMS segments"
    assert "2 SMS segments" in panel.count.value


def test_save_links_another_account_and_changes_the_text(accounts, text_of):
    accounts.create_identity_store(name="Corp AD")
    page = IdentityStoresPage(accounts)
    panel = page.open_sms_auth("Corp AD")
    panel.account.input.value = "Backup"
    panel.text.input.set_state({"value": "Code [Code] for Corp"})
    panel.save_button.click()
    store = accounts.get_identity_store("Corp AD")
    assert (store.gateway_account_name, store.sms_text, store.link_source) == ("Backup", "Code [Code] for Corp", "manual")
    assert "saved" in text_of(panel.message)
    assert linked_cell(page, "Corp AD", text_of) == "Backup"
    page.close()


def test_save_can_unlink_the_store(accounts, text_of):
    accounts.create_identity_store(name="Corp AD")
    page = IdentityStoresPage(accounts)
    panel = page.open_sms_auth("Corp AD")
    panel.account.input.value = None
    panel.save_button.click()
    assert accounts.get_identity_store("Corp AD").gateway_account_id is None
    assert linked_cell(page, "Corp AD", text_of) == "—"
    page.close()


def test_text_without_code_is_refused_next_to_the_text_and_nothing_changes(accounts, text_of):
    accounts.create_identity_store(name="Corp AD")
    panel = IdentityStoresPage(accounts).open_sms_auth("Corp AD")
    panel.account.input.value = "Backup"
    panel.text.input.set_state({"value": "Your code is CODE"})
    panel.save_button.click()
    assert "must keep the [Code] placeholder" in text_of(panel.text.error)
    store = accounts.get_identity_store("Corp AD")
    assert (store.sms_text, store.gateway_account_name) == (DEFAULT_SMS_TEXT, "Primary")


def test_linking_an_account_deleted_meanwhile_is_reported(accounts, text_of):
    accounts.create_identity_store(name="Corp AD")
    panel = IdentityStoresPage(accounts).open_sms_auth("Corp AD")
    panel.account.input.value = "Backup"
    accounts.delete_account("Backup")
    panel.save_button.click()
    assert "No SMS gateway account with name 'Backup'" in text_of(panel.account.error)
    assert accounts.get_identity_store("Corp AD").gateway_account_name == "Primary"


def test_unlink_then_delete_the_account_from_the_gateways_page(accounts):
    from smsgw_kit.ui import GatewaysPage

    accounts.create_identity_store(name="Corp AD")
    stores = IdentityStoresPage(accounts)
    panel = stores.open_sms_auth("Corp AD")
    panel.account.input.value = None
    panel.save_button.click()
    gateways = GatewaysPage(accounts)
    gateways.open_delete(gateways.table.record("Primary")).confirm.click()
    assert [a.name for a in accounts.list_accounts()] == ["Backup"]
    stores.close()
    gateways.close()
