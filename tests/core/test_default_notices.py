"""What the operator is told about defaults and links: stale copies, re-linking, and life without a default."""

import pytest

from smsgw_kit import StaleEdit

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


def _events(admin, action):
    frame = admin.audit_frame().sort_values("id")
    return frame[frame["action"] == action].to_dict("records")


def test_set_default_with_a_stale_copy_is_a_stale_edit_like_modify_and_delete(admin):
    admin.create_account(name="A", **NEXMO)
    copy = admin.get_account("A")
    admin.modify_account("A", user_name="changed")
    for call in (lambda: admin.set_default(copy), lambda: admin.modify_account(copy, user_name="x"),
                 lambda: admin.delete_account(copy)):
        with pytest.raises(StaleEdit):
            call()
    assert admin.default_account() is None
    assert admin.set_default(admin.get_account("A")).is_default  # a fresh copy is fine
    with pytest.raises(StaleEdit):
        admin.set_default("A", expected_version=1)


def test_linking_a_store_to_the_account_it_got_as_default_pins_it_as_manual_with_an_audit_event(admin):
    admin.create_account(name="A", set_default=True, **NEXMO)
    store = admin.create_identity_store(name="S")
    assert (store.gateway_account_name, store.link_source, store.version) == ("A", "default", 1)
    linked = admin.link("S", "A")
    assert (linked.gateway_account_name, linked.link_source, linked.version) == ("A", "manual", 2)
    event = _events(admin, "store.link")[-1]
    assert event["before"] == {"gateway_account": "A", "link_source": "default"}
    assert event["after"] == {"gateway_account": "A", "link_source": "manual"}
    again = admin.link("S", "A")  # already manual there: nothing to do, nothing audited
    assert again.version == 2 and len(_events(admin, "store.link")) == 1


def test_a_store_created_without_a_default_account_says_so(admin):
    store = admin.create_identity_store(name="S")
    assert store.gateway_account_name is None
    assert "no default SMS gateway account" in store.notice
    assert "no default SMS gateway account" in _events(admin, "store.create")[-1]["after"]["notice"]
    admin.create_account(name="A", set_default=True, **NEXMO)
    assert admin.create_identity_store(name="T").notice is None
    assert "notice" not in _events(admin, "store.create")[-1]["after"]


def test_deleting_the_default_account_says_new_stores_will_have_no_account(admin):
    admin.create_account(name="A", set_default=True, **NEXMO)
    admin.create_account(name="B", **NEXMO)
    deleted = admin.delete_account("A")
    assert deleted.was_default and deleted.name == "A"
    assert "no default" in deleted.notice and "until another account is made the default" in deleted.notice
    assert _events(admin, "account.delete")[-1]["after"] == {"default": None, "notice": deleted.notice}
    quiet = admin.delete_account("B")
    assert not quiet.was_default and quiet.notice is None
    assert _events(admin, "account.delete")[-1]["after"] is None
