"""Accounts: create, modify, default, delete and lookups keep the seed's rules on both databases."""

import pytest

from smsgw_kit import (
    AccountLinked,
    DuplicateName,
    InvalidInput,
    NotFound,
    StaleEdit,
    UnknownGatewayType,
)

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


def test_create_fills_url_from_type_and_trims_name(admin):
    acc = admin.create_account(name="  Primary  ", **NEXMO)
    assert acc.name == "Primary"
    assert acc.gateway_url == "https://rest.nexmo.com/sms/json"
    assert acc.password_set and not acc.proxy_password_set
    assert acc.created_by == acc.updated_by == "tester"
    assert acc.created_at.tzinfo is not None


def test_gateway_type_is_matched_case_insensitively_and_canonicalised(admin):
    assert admin.create_account(name="A", **{**NEXMO, "gateway_type": "nexmo"}).gateway_type == "Nexmo"


def test_unknown_gateway_type_suggests_near_miss(admin):
    with pytest.raises(UnknownGatewayType, match="Did you mean 'Nexmo'") as err:
        admin.create_account(name="A", **{**NEXMO, "gateway_type": "Nexmoo"})
    assert err.value.field == "gateway_type"
    assert admin.list_accounts() == []


@pytest.mark.parametrize("missing,label", [("user_name", "API Key"), ("password", "API Secret"), ("sender_id", "Sender ID")])
def test_required_fields_follow_the_gateway_type(admin, missing, label):
    with pytest.raises(InvalidInput, match=label) as err:
        admin.create_account(name="A", **{**NEXMO, missing: ""})
    assert err.value.field == missing
    assert admin.list_accounts() == []


def test_redoxygen_requires_account_id(admin):
    with pytest.raises(InvalidInput) as err:
        admin.create_account(name="R", gateway_type="RedOxygen", user_name="a@b.c", password="p")
    assert err.value.field == "account_id"


@pytest.mark.parametrize("other", ["primary", "PRIMARY ", " Primary"])
def test_names_are_unique_ignoring_case_and_spaces(admin, other):
    admin.create_account(name="Primary", **NEXMO)
    with pytest.raises(DuplicateName) as err:
        admin.create_account(name=other, **NEXMO)
    assert err.value.field == "name"
    assert len(admin.list_accounts()) == 1


def test_lookup_by_name_or_id_the_same_way(admin):
    acc = admin.create_account(name="Primary", **NEXMO)
    assert admin.get_account(acc.id) == admin.get_account(" PRIMARY ") == acc
    with pytest.raises(NotFound, match="No SMS gateway account with name 'Nope'"):
        admin.get_account("Nope")
    with pytest.raises(NotFound, match="id 999"):
        admin.get_account(999)
    with pytest.raises(InvalidInput):
        admin.get_account(1.5)


def test_modify_renames_and_keeps_password_when_not_given(admin):
    acc = admin.create_account(name="Primary", **NEXMO)
    token_before = _password_token(admin, acc.id)
    out = admin.modify_account("Primary", name="Main", user_name="key2", password="")
    assert out.name == "Main" and out.user_name == "key2" and out.password_set
    assert out.version == acc.version + 1
    assert _password_token(admin, acc.id) == token_before
    admin.modify_account("Main", password="secret-2")
    assert _password_token(admin, acc.id) != token_before


def test_modify_to_a_taken_name_is_refused(admin):
    admin.create_account(name="A", **NEXMO)
    admin.create_account(name="B", **NEXMO)
    with pytest.raises(DuplicateName):
        admin.modify_account("B", name=" a ")
    assert admin.get_account("B").name == "B"


def test_modify_unknown_field_names_it(admin):
    admin.create_account(name="A", **NEXMO)
    with pytest.raises(InvalidInput) as err:
        admin.modify_account("A", colour="red")
    assert err.value.field == "colour" and "user_name" in str(err.value)


def test_modify_cannot_drop_a_required_field(admin):
    admin.create_account(name="A", **NEXMO)
    with pytest.raises(InvalidInput) as err:
        admin.modify_account("A", user_name="  ")
    assert err.value.field == "user_name"
    assert admin.get_account("A").user_name == "key"


def test_clearing_a_required_secret_is_refused_and_optional_one_allowed(admin):
    admin.create_account(name="A", **NEXMO, proxy_host_name="proxy.local", proxy_port=3128,
                         proxy_user_name="pu", proxy_password="pp")
    with pytest.raises(InvalidInput):
        admin.modify_account("A", clear=["password"])
    out = admin.modify_account("A", clear=["proxy_password", "proxy_user_name"])
    assert not out.proxy_password_set and out.password_set


def test_stale_copy_gets_a_conflict_not_an_overwrite(admin):
    admin.create_account(name="A", **NEXMO)
    mine = admin.get_account("A")
    theirs = admin.get_account("A")
    admin.modify_account(theirs, user_name="theirs")
    with pytest.raises(StaleEdit, match="changed by someone else"):
        admin.modify_account(mine, user_name="mine")
    assert admin.get_account("A").user_name == "theirs"
    with pytest.raises(StaleEdit):
        admin.delete_account(mine)


def test_changing_type_resets_url_to_the_new_types_default(admin):
    admin.create_account(name="A", **NEXMO)
    out = admin.modify_account("A", gateway_type="Bulletin.net")
    assert out.gateway_url == "https://www.bulletinmessenger.net/api/3/sms/out"


def test_one_default_and_setting_a_new_one_clears_the_old(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_account(name="B", **NEXMO)
    admin.set_default("B")
    assert [a.name for a in admin.list_accounts() if a.is_default] == ["B"]
    admin.modify_account("A", set_default=True)
    assert admin.default_account().name == "A"
    admin.modify_account("A", set_default=False)
    assert admin.default_account() is None


def test_create_with_default_replaces_the_previous_default(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_account(name="B", **NEXMO, set_default=True)
    assert admin.default_account().name == "B" and not admin.get_account("A").is_default


def test_delete_refused_while_linked_naming_every_store(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_identity_store(name="Zeta")
    admin.create_identity_store(name="Alpha")
    with pytest.raises(AccountLinked) as err:
        admin.delete_account("A")
    assert err.value.stores == ["Alpha", "Zeta"]
    assert "'Alpha', 'Zeta'" in str(err.value)
    admin.unlink("Alpha")
    admin.unlink("Zeta")
    admin.delete_account("A")
    with pytest.raises(NotFound):
        admin.get_account("A")


def test_proxy_needs_host_and_port_together(admin):
    with pytest.raises(InvalidInput) as err:
        admin.create_account(name="A", **NEXMO, proxy_host_name="proxy.local")
    assert err.value.field == "proxy_port"
    with pytest.raises(InvalidInput) as err:
        admin.create_account(name="A", **NEXMO, proxy_port=8080)
    assert err.value.field == "proxy_host_name"


@pytest.mark.parametrize("port", [0, -1, 65536, "80a", "", 10**12, True])
def test_bad_ports_name_the_field_and_range(admin, port):
    kwargs = {**NEXMO, "proxy_host_name": "proxy.local", "proxy_port": port}
    with pytest.raises(InvalidInput) as err:
        admin.create_account(name="A", **kwargs)
    assert err.value.field == "proxy_port"
    assert admin.list_accounts() == []


def test_port_from_a_form_string_is_accepted(admin):
    acc = admin.create_account(name="A", **NEXMO, proxy_host_name="proxy.local", proxy_port=" 3128 ")
    assert acc.proxy_port == 3128


def test_gateway_url_must_be_http(admin):
    with pytest.raises(InvalidInput) as err:
        admin.create_account(name="A", **NEXMO, gateway_url="ftp://example.com")
    assert err.value.field == "gateway_url"


def _password_token(admin, account_id):
    with admin.db.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT password_enc FROM gateway_account WHERE id = {int(account_id)}").scalar()
