"""Identity stores: auto-link to the default, manual links, the [Code] text, and what never re-links."""

import pytest

from smsgw_kit import DuplicateName, InvalidInput, NotFound

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


def test_store_without_a_default_is_unlinked(admin):
    store = admin.create_identity_store(name="Corp")
    assert store.gateway_account_id is None and store.link_source is None


def test_new_store_links_to_the_current_default_and_keeps_it_when_default_changes(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_account(name="B", **NEXMO)
    first = admin.create_identity_store(name="First")
    admin.set_default("B")
    second = admin.create_identity_store(name="Second")
    assert (first.gateway_account_name, first.link_source) == ("A", "default")
    assert admin.get_identity_store("First").gateway_account_name == "A"  # rule 4: no re-link
    assert (second.gateway_account_name, second.link_source) == ("B", "default")


def test_link_by_hand_replaces_the_link_and_records_how(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_account(name="B", **NEXMO)
    admin.create_identity_store(name="Corp")
    out = admin.link("corp", "b")
    assert (out.gateway_account_name, out.link_source) == ("B", "manual")
    assert admin.linked_stores("B") == ["Corp"] and admin.linked_stores("A") == []


def test_an_account_serves_many_stores(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    for n in range(5):
        admin.create_identity_store(name=f"S{n}")
    assert len(admin.linked_stores("A")) == 5


def test_link_to_missing_account_or_store(admin):
    admin.create_identity_store(name="Corp")
    with pytest.raises(NotFound, match="SMS gateway account"):
        admin.link("Corp", "ghost")
    admin.create_account(name="A", **NEXMO)
    with pytest.raises(NotFound, match="identity store"):
        admin.link("ghost", "A")


@pytest.mark.parametrize("text", ["Your code", "Your code is [code]", "", "   ", "[Code", None])
def test_sms_text_must_keep_the_code_placeholder(admin, text):
    admin.create_identity_store(name="Corp")
    with pytest.raises(InvalidInput) as err:
        admin.set_sms_text("Corp", text)
    assert err.value.field == "sms_text" and "[Code]" in str(err.value)
    assert "[Code]" in admin.get_identity_store("Corp").sms_text


def test_sms_text_edit(admin):
    admin.create_identity_store(name="Corp")
    out = admin.set_sms_text("Corp", "Código: [Code] ✓")
    assert out.sms_text == "Código: [Code] ✓"


def test_store_names_are_unique(admin):
    admin.create_identity_store(name="Corp")
    with pytest.raises(DuplicateName):
        admin.create_identity_store(name=" CORP ")


def test_deleting_the_store_frees_the_account(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_identity_store(name="Corp")
    admin.delete_identity_store("Corp")
    admin.delete_account("A")
    assert admin.list_accounts() == [] and admin.list_identity_stores() == []
