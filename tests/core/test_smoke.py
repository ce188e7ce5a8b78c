from smsgw_kit import AccountLinked
import pytest

def test_create_default_link_delete(admin):
    admin.create_account(name="Primary", gateway_type="Nexmo", user_name="k", password="p", sender_id="S", set_default=True)
    store = admin.create_identity_store(name="Corp")
    assert store.gateway_account_name == "Primary" and store.link_source == "default"
    with pytest.raises(AccountLinked):
        admin.delete_account("primary")
