"""Explicit input shapes: one field table, the models built from it, and each refusal naming the field
and what is allowed, with nothing changed."""

import math
import pydoc

import pytest

from smsgw_kit import (
    FIELDS,
    GatewayAccountCreate,
    GatewayAccountUpdate,
    GatewayAdmin,
    InvalidInput,
    StorageError,
    connect,
)
from smsgw_kit.gateways import ACCOUNT_FIELDS, get_gateway_type
from smsgw_kit.testing.hostile import snapshot
from smsgw_kit.ui.account_form import PROXY_FIELDS, SECRETS

NEXMO = {"gateway_type": "Nexmo", "user_name": "key", "password": "secret", "sender_id": "GroupID"}


def refused(admin, call, *args, field, **kwargs):
    """Call, expect InvalidInput naming `field` with what is allowed, and check nothing changed."""
    before = snapshot(admin.db)
    with pytest.raises(InvalidInput) as err:
        call(*args, **kwargs)
    assert err.value.field.split(".")[0] == field, str(err.value)  # options.<name> names the option
    assert err.value.allowed, f"{err.value} does not say what is allowed"
    assert snapshot(admin.db) == before
    return err.value


def test_the_table_is_what_everything_reads():
    assert tuple(n for n, f in FIELDS.items() if f.per_gateway) == ACCOUNT_FIELDS
    assert dict(SECRETS) == {"password": "password_enc", "proxy_password": "proxy_password_enc"}
    assert PROXY_FIELDS == ("proxy_user_name", "proxy_password", "proxy_description", "proxy_domain",
                            "proxy_host_name", "proxy_port")
    assert set(GatewayAccountCreate.model_fields) == set(FIELDS) == set(GatewayAccountUpdate.model_fields)
    assert get_gateway_type("Nexmo").info.label("user_name") == "API Key"  # a gateway type still relabels
    assert get_gateway_type("Nexmo").info.label("ca_bundle") == FIELDS["ca_bundle"].label


def test_help_shows_every_field():
    text = pydoc.render_doc(GatewayAdmin.create_account, renderer=pydoc.plaintext)
    assert "**fields" not in text
    for name, spec in FIELDS.items():
        assert f"{name}:" in text and spec.label in text
    assert "modify_account(self, account" in pydoc.render_doc(GatewayAdmin.modify_account, renderer=pydoc.plaintext)


def test_models_check_and_clean():
    assert GatewayAccountCreate.check({"name": " A ", "gateway_type": "nexmo", "proxy_port": "3128"}) == {
        "name": "A", "gateway_type": "Nexmo", "proxy_port": 3128}
    assert GatewayAccountUpdate.check({"read_timeout": 2}) == {"read_timeout": 2.0}
    with pytest.raises(InvalidInput, match=r"gateway_type.*is required"):
        GatewayAccountCreate.check({"name": "A"})
    with pytest.raises(InvalidInput, match="bogus: is not an account field"):
        GatewayAccountUpdate.check({"bogus": 1})


@pytest.mark.parametrize("name", ["Primary\u200b", "\u202ePrimary", "Pri\xadmary", "\ufeffPrimary",
                                  "\u202eevil\u202c", "Pri\u2028mary", "Pri\x00mary", "Pri\ud800mary"])
def test_look_alike_and_invisible_names_are_refused(admin, name):
    admin.create_account(name="Primary", **NEXMO)
    refused(admin, admin.create_account, name=name, **NEXMO, field="name")
    refused(admin, admin.create_identity_store, name=name, field="name")
    refused(admin, admin.modify_account, "Primary", name=name, field="name")


@pytest.mark.parametrize("url", ["http://host:99999/x", "http://host:abc/", "http://ho st/", "http://[::1/",
                                 "ftp://host/", "http://", "https://host:0/", "http://-bad-/"])
def test_malformed_urls_are_refused(admin, url):
    err = refused(admin, admin.create_account, name="A", **NEXMO, gateway_url=url, field="gateway_url")
    assert "65535" in err.allowed


def test_good_urls_and_hosts_are_kept(admin):
    row = admin.create_account(name="A", **NEXMO, gateway_url="https://[::1]:8443/sms?x=1",
                               proxy_host_name="proxy-1.corp.example", proxy_port=" 3128 ")
    assert (row.gateway_url, row.proxy_host_name, row.proxy_port) == ("https://[::1]:8443/sms?x=1",
                                                                      "proxy-1.corp.example", 3128)
    assert admin.modify_account("A", proxy_host_name="10.0.0.7", proxy_domain="bücher.example").proxy_domain


@pytest.mark.parametrize("field", ["proxy_host_name", "proxy_domain"])
@pytest.mark.parametrize("host", ["a b", "proxy/1", "-x-", "x" * 64, "http://proxy", "a..b", "proxy:3128"])
def test_proxy_host_and_domain_must_be_host_names(admin, field, host):
    err = refused(admin, admin.create_account, name="A", **NEXMO, proxy_port=3128, **{field: host}, field=field)
    assert "IP address" in err.allowed


@pytest.mark.parametrize("value", [[], "yes", 0, 1, None, "True"])
def test_set_default_must_be_a_real_bool(admin, value):
    admin.create_account(name="A", **NEXMO)
    refused(admin, admin.create_account, name="B", **NEXMO, set_default=value, field="set_default")
    if value is not None:  # None means "leave the default alone" when modifying
        refused(admin, admin.modify_account, "A", set_default=value, field="set_default")


@pytest.mark.parametrize(("field", "value"), [
    ("read_timeout", True), ("connect_timeout", math.nan), ("read_timeout", math.inf), ("read_timeout", 10**400),
    ("read_timeout", "soon"), ("proxy_port", 8080.0), ("proxy_port", True),
    ("proxy_port", [3128]), pytest.param("proxy_port", 10**5000, id="proxy_port-5000-digits"),
    ("user_name", ["key"]), ("user_name", b"key"), ("user_name", 42),
    ("password", {"x": 1}), ("options", {"x": math.nan}), ("options", {"x": b"raw"}), ("options", {1: "x"}),
    ("options", [1, 2]), ("gateway_type", ["Nexmo"]), ("sender_id", "x\udc00y"),
])
def test_wrong_types_and_odd_numbers_are_refused(admin, field, value):
    fields = {**NEXMO, "proxy_host_name": "proxy.local", "proxy_port": 3128, field: value}
    refused(admin, admin.create_account, name="A", **fields, field=field.split(".")[0])


def test_recursive_and_deep_options_are_refused(admin):
    loop: dict = {}
    loop["self"] = loop
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    for value in (loop, {"deep": deep}):
        err = refused(admin, admin.create_account, name="A", **NEXMO, options=value, field="options")
        assert err.field == ("options.self" if value is loop else "options.deep")
        assert "levels" in err.allowed


@pytest.mark.parametrize("actor", ["", "   ", None.__class__, 42, "x" * 300, "bob\u202e", b"bob"])
def test_the_actor_is_a_non_empty_short_text(database, keyring, actor):
    with pytest.raises(InvalidInput) as err:
        GatewayAdmin(database, keyring=keyring, actor=actor)
    assert err.value.field == "actor" and err.value.allowed


@pytest.mark.parametrize("ref", [2**31, 2**63, 0, -1, True, 1.0, b"A", ["A"], None, "A\u200b"])
def test_refs_are_checked_for_type_and_range(admin, ref):
    admin.create_account(name="A", **NEXMO)
    admin.create_identity_store(name="S")
    assert refused(admin, admin.get_account, ref, field="account").allowed.startswith("a name")
    refused(admin, admin.set_default, ref, field="account")
    refused(admin, admin.delete_account, ref, field="account")
    refused(admin, admin.link, ref, "A", field="identity_store")
    refused(admin, admin.link, "S", ref, field="account")
    refused(admin, admin.unlink, ref, field="identity_store")


def test_a_public_shape_of_the_other_kind_is_no_ref(admin):
    store = admin.create_identity_store(name="S")
    refused(admin, admin.get_account, store, field="account")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"clear": "password\x00"}, "clear"), ({"clear": [1]}, "clear"), ({"clear": 5}, "clear"),
    ({"clear": ["name"]}, "clear"), ({"expected_version": True}, "expected_version"),
    ({"expected_version": 2**40}, "expected_version"), ({"expected_version": "1"}, "expected_version"),
])
def test_modify_options_are_checked(admin, kwargs, field):
    admin.create_account(name="A", **NEXMO)
    refused(admin, admin.modify_account, "A", **kwargs, field=field)


def test_clear_takes_one_name_or_a_list(admin):
    admin.create_account(name="A", **NEXMO, proxy_host_name="p.local", proxy_port=3128, proxy_user_name="u")
    assert admin.modify_account("A", clear="proxy_user_name").proxy_user_name is None
    assert admin.modify_account("A", clear=("proxy_host_name", "proxy_port")).proxy_port is None


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"which": 3.5}, "which"), ({"concurrency": 0}, "concurrency"), ({"concurrency": True}, "concurrency"),
    ({"concurrency": 10**9}, "concurrency"), ({"on_progress": "print"}, "on_progress"),
])
def test_test_accounts_checks_its_arguments(admin, kwargs, field):
    refused(admin, admin.test_accounts, **kwargs, field=field)


@pytest.mark.parametrize("message", [b"hi", 5, "x\ud800"])
def test_test_settings_checks_the_message(admin, message):
    refused(admin, admin.test_settings, gateway_type="Nexmo", user_name="k", password="p", sender_id="s",
            gateway_url="http://127.0.0.1:9/", phone="447079692712", message=message, field="message")


@pytest.mark.parametrize("url", [123, b"sqlite://", "garbage", "postgresql://h:abc/db", "sqlite:///\ud800.db",
                                 "a" * 3000])
def test_a_malformed_database_url_names_database_url(url, keyring):
    with pytest.raises(InvalidInput) as err:
        connect(url, keyring=keyring, actor="t")
    assert err.value.field == "database_url" and "sqlite:///" in err.value.allowed


@pytest.mark.parametrize("url", ["nosuch://x", "sqlite:////no/such/folder/x.db"])
def test_an_unusable_database_url_is_a_storage_error(url, keyring):
    with pytest.raises(StorageError):
        connect(url, keyring=keyring, actor="t")


def test_a_refused_url_never_shows_its_password(admin):
    err = refused(admin, admin.create_account, name="A", **NEXMO, gateway_url="http://u:hunter2@host:99999/",
                  field="gateway_url")
    assert "hunter2" not in str(err)

