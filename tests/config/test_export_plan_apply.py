"""Configuration as code on SQLite and PostgreSQL: export, plan, apply, the frame round trip, staleness."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from other_environment import environment

from smsgw_kit import (
    AccountLinked,
    GatewayAdmin,
    InvalidInput,
    NotFound,
    StaleEdit,
    config,
)
from smsgw_kit.models import GatewayAccount

SECRETS = {"SMSGW_PRIMARY_PASSWORD": "nexmo-secret-1", "SMSGW_BACKUP_PASSWORD": "twilio-token-2",
           "SMSGW_BACKUP_PROXY_PASSWORD": "proxy-pass-3"}
BULK = {"name": "Bulk", "gateway_type": "Clickatell", "account_id": "1", "user_name": "ops", "sender_id": "Bulk",
        "password": "env:SMSGW_PRIMARY_PASSWORD"}
VOLATILE = ["id", "gateway_account_id", "created_at", "created_by", "updated_at", "updated_by", "version",
            "last_test_outcome", "last_test_at"]


def populate(admin: GatewayAdmin) -> None:
    """Two accounts (one behind a proxy), the default, three stores: default-linked, hand-linked, unlinked."""
    admin.create_account(name="Primary", gateway_type="Nexmo", user_name="api-key",
                         password=SECRETS["SMSGW_PRIMARY_PASSWORD"], sender_id="GroupID", set_default=True)
    admin.create_account(name="Backup", gateway_type="Twilio", account_id="AC00000000000000000000000000000023",
                         user_name="AC00000000000000000000000000000023", password=SECRETS["SMSGW_BACKUP_PASSWORD"], sender_id="+15005550006",
                         proxy_host_name="proxy.example.net", proxy_port=3128, proxy_user_name="squid",
                         proxy_password=SECRETS["SMSGW_BACKUP_PROXY_PASSWORD"], proxy_description="DMZ proxy",
                         read_timeout=20.0, options={"status_callback": "https://example.net/cb"})
    admin.create_identity_store(name="Corp AD")
    admin.create_identity_store(name="Partners LDAP", store_type="LDAP")
    admin.link("Partners LDAP", "Backup")
    admin.create_identity_store(name="Lab AD")
    admin.unlink("Lab AD")
    admin.set_sms_text("Corp AD", "Your Corp code: [Code]")


@pytest.fixture
def source(tmp_path) -> GatewayAdmin:
    """An operator's populated SQLite database under keys of its own (another environment)."""
    with environment(tmp_path / "source.db", populate) as admin:
        yield admin


@pytest.fixture
def secrets_env(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def frames(admin: GatewayAdmin) -> tuple[pd.DataFrame, pd.DataFrame]:
    accounts = admin.accounts_frame()
    stores = admin.store_links_frame()
    return accounts.drop(columns=VOLATILE, errors="ignore"), stores.drop(columns=VOLATILE, errors="ignore")


def stored_secrets(admin: GatewayAdmin) -> dict[str, tuple]:
    table = GatewayAccount.__table__
    with admin.db.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.name, table.c.password_enc, table.c.proxy_password_enc)).all()
    return {name: tuple(admin.keyring.decrypt(t) for t in tokens) for name, *tokens in rows}


def test_export_then_apply_to_an_empty_database_reproduces_the_frames(source, admin, secrets_env):
    document = source.export_config()

    plan = admin.plan(config.to_yaml(document))
    admin.apply(plan)

    for mine, theirs in zip(frames(admin), frames(source), strict=True):
        pd.testing.assert_frame_equal(mine, theirs)
    assert stored_secrets(admin) == stored_secrets(source)  # resolved from the environment, re-encrypted
    by_hand, applied = (a.audit_frame(action="account.create").set_index("object_name")["after"].to_dict()
                        for a in (source, admin))
    assert applied == by_hand  # the batch records exactly what creating each by hand records
    assert admin.export_config() == document
    assert admin.plan(document).empty  # a second apply of the same document changes nothing


def test_the_document_holds_references_never_secrets(source):
    document = source.export_config()
    text = config.to_yaml(document) + config.to_json(document)

    assert not any(secret in text for secret in SECRETS.values())
    backup = next(a for a in document["accounts"] if a["name"] == "Backup")
    assert backup["password"] == "env:SMSGW_BACKUP_PASSWORD"
    assert backup["proxy_password"] == "env:SMSGW_BACKUP_PROXY_PASSWORD"
    assert config.secret_references(document).keys() == SECRETS.keys()
    omitted = source.export_config(secrets="omit")
    assert all("password" not in a and "proxy_password" not in a for a in omitted["accounts"])
    assert config.load(config.to_json(document))[0] == config.load(config.to_yaml(document))[0] == document


@pytest.mark.parametrize("prefix", ["bad prefix!", "1ST_", "PROD-", 7, None])
def test_an_env_prefix_plan_would_refuse_is_refused_at_export(source, prefix):
    with pytest.raises(InvalidInput) as err:
        source.export_config(env_prefix=prefix)
    assert err.value.field == "env_prefix"


def test_every_reference_an_export_writes_is_one_plan_accepts(source, secrets_env, monkeypatch):
    source.create_account(name="1st Nexmo", gateway_type="Nexmo", user_name="k", password="p1", sender_id="G")
    document = source.export_config(env_prefix="")  # no prefix: "1ST_NEXMO_PASSWORD" is no variable name
    refs = config.secret_references(document)
    assert "_1ST_NEXMO_PASSWORD" in refs and "PRIMARY_PASSWORD" in refs
    for name in refs:
        monkeypatch.setenv(name, {"_1ST_NEXMO_PASSWORD": "p1"}.get(name, SECRETS.get(f"SMSGW_{name}", "x")))
    assert source.plan(document).empty


def test_a_document_without_secrets_keeps_the_stored_ones(source):
    before = stored_secrets(source)
    document = source.export_config(secrets="omit")
    document["accounts"][0]["user_name"] = "AC99999999999999999999999999999999"  # Backup

    plan = source.plan(document)
    source.apply(plan)

    assert [(c.action, c.name, list(c.fields)) for c in plan.changes] == [("modify", "Backup", ["user_name"])]
    assert stored_secrets(source) == before


def test_the_plan_shows_field_changes_and_secrets_only_as_changed(source, secrets_env, monkeypatch):
    monkeypatch.setenv("SMSGW_BACKUP_PASSWORD", "a-brand-new-token")
    document = source.export_config()
    document["accounts"][0]["proxy_port"] = 8080
    document["accounts"][1]["proxy_password"] = None  # Primary has none: nothing to clear

    plan = source.plan(document)

    [change] = plan.changes
    changed = "changed (from env:SMSGW_BACKUP_PASSWORD)"  # where it comes from, for the reviewer; never what
    assert change.fields == {"proxy_port": (3128, 8080), "password": ("set", changed)}
    shown = plan.to_text() + plan.to_frame().to_string() + repr(plan) + repr(change) + plan._repr_html_()
    assert "a-brand-new-token" not in shown and f"'set' -> '{changed}'" in plan.to_text()
    frame = plan.to_frame()
    assert list(frame.columns) == ["kind", "action", "name", "field", "before", "after", "path"]
    assert frame[["field", "before", "after"]].values.tolist() == [["proxy_port", 3128, 8080],
                                                                   ["password", "set", changed]]
    source.apply(plan)
    assert stored_secrets(source)["Backup"][0] == "a-brand-new-token"


def test_apply_is_audited_as_if_made_by_hand(source, admin, secrets_env):
    admin.apply(admin.plan(source.export_config()))

    events = admin.audit_frame().sort_values("id")
    assert set(events.actor) == {"tester"}
    assert list(events.action) == ["account.create", "account.create", "account.set_default", "store.create",
                                   "store.create", "store.unlink", "store.create", "store.link"]
    created = events[events.action == "account.create"].set_index("object_name")["after"]
    assert created["Backup"]["password"] == "set" and created["Backup"]["proxy_port"] == 3128
    assert "twilio-token-2" not in events.to_string()


def test_creates_modifies_deletes_links_and_the_default_in_one_plan(source, secrets_env):
    document = source.export_config()
    document["accounts"] = [a for a in document["accounts"] if a["name"] != "Primary"]  # delete Primary
    document["accounts"].append({"name": "Bulk", "gateway_type": "Clickatell", "account_id": "3456789",
                                 "user_name": "ops", "password": "env:SMSGW_PRIMARY_PASSWORD", "sender_id": "Bulk"})
    document["default"] = "Bulk"
    stores = {s["name"]: s for s in document["identity_stores"]}
    stores["Corp AD"]["gateway_account"] = "Bulk"  # its account goes away: relinked by the same plan
    stores["Lab AD"]["sms_text"] = "Lab code [Code]"
    del stores["Partners LDAP"]
    document["identity_stores"] = [*stores.values(), {"name": "New AD"}]

    plan = source.plan(document)

    assert [(c.kind, c.action, c.name) for c in plan.changes] == [
        ("account", "create", "Bulk"), ("default", "set", "Bulk"), ("identity_store", "create", "New AD"),
        ("identity_store", "modify", "Lab AD"), ("identity_store", "link", "Corp AD"),
        ("identity_store", "delete", "Partners LDAP"), ("account", "delete", "Primary")]
    source.apply(plan)
    assert [a.name for a in source.list_accounts()] == ["Backup", "Bulk"]
    assert source.default_account().name == "Bulk"
    links = source.store_links_frame().set_index("identity_store")
    assert links.gateway_account.fillna("-").to_dict() == {"Corp AD": "Bulk", "Lab AD": "-", "New AD": "Bulk"}
    assert links.loc["New AD", "link_source"] == "default"  # created as by hand: linked to the default
    assert source.plan(document).empty


def test_deleting_a_linked_account_is_refused_unless_the_plan_moves_its_stores(source):
    document = source.export_config(secrets="omit")
    document["accounts"] = [a for a in document["accounts"] if a["name"] != "Backup"]
    del document["identity_stores"]  # stores not managed: Partners LDAP would lose its account

    with pytest.raises(AccountLinked, match="Partners LDAP"):
        source.plan(document)

    document["identity_stores"] = source.export_config()["identity_stores"]  # still naming Backup
    with pytest.raises(AccountLinked, match=r"'Backup'.*Partners LDAP"):
        source.plan(document)

    document["identity_stores"][2]["gateway_account"] = "Primary"
    assert document["identity_stores"][2]["name"] == "Partners LDAP"
    source.apply(source.plan(document))
    assert source.linked_stores("Primary") == ["Corp AD", "Partners LDAP"]
    with pytest.raises(NotFound):
        source.get_account("Backup")


def test_a_plan_made_stale_by_another_operator_is_refused_and_changes_nothing(source, secrets_env):
    bob = GatewayAdmin(source.db, keyring=source.keyring, actor="bob")
    document = source.export_config()
    document["accounts"][0]["sender_id"] = "+15005550007"  # Backup
    document["accounts"].append(dict(BULK))
    plan = source.plan(document)
    events = len(source.audit_frame())

    bob.modify_account("Backup", proxy_port=3129)

    with pytest.raises(StaleEdit, match="Backup"):
        source.apply(plan)
    assert source.get_account("Backup").sender_id == "+15005550006"
    assert [a.name for a in source.list_accounts()] == ["Backup", "Primary"]  # Bulk not created either
    assert len(source.audit_frame()) == events + 1  # only bob's change
    fresh = source.plan(document)  # made again, the review shows that the document undoes bob's change
    assert fresh.changes[1].fields == {"sender_id": ("+15005550006", "+15005550007"), "proxy_port": (3129, 3128)}
    source.apply(fresh)
    assert source.get_account("Backup").proxy_port == 3128 and source.get_account("Bulk").sender_id == "Bulk"


def test_a_plan_made_on_another_database_is_refused_there_and_changes_nothing(source, admin, secrets_env):
    """Test and production: a plan names rows by id, and here the same id and version are another account."""
    for name in ("Prod A", "Prod B"):
        admin.create_account(name=name, gateway_type="Nexmo", user_name="k", password="p", sender_id="PROD")
    document = source.export_config()
    document["accounts"][0]["sender_id"] = "+15005550007"  # source's Backup: id 2, version 1, as Prod B here
    plan = source.plan(document)
    events = len(admin.audit_frame())

    with pytest.raises(InvalidInput, match="plan: was made on another database") as err:
        admin.apply(plan)

    assert "admin.plan(document)" in str(err.value)
    assert [(a.name, a.sender_id) for a in admin.list_accounts()] == [("Prod A", "PROD"), ("Prod B", "PROD")]
    assert len(admin.audit_frame()) == events
    source.apply(plan)  # where it was made, it applies
    assert source.get_account("Backup").sender_id == "+15005550007"


def test_a_plan_is_applied_once(source, secrets_env):
    document = source.export_config()
    document["accounts"][0]["sender_id"] = "+15005550007"
    plan = source.plan(document)
    assert source.apply(plan) == {"account.modify": 1} and plan.applied_at is not None
    with pytest.raises(InvalidInput, match="plan: was applied already, at 20"):  # not "changed by someone else"
        source.apply(plan)
    assert source.plan(document).empty


def test_a_plan_made_on_an_empty_database_only_creates_and_may_be_applied_elsewhere(source, admin, tmp_path,
                                                                                     secrets_env):
    plan = admin.plan(source.export_config())  # `admin` has no history yet: its plan names no row
    assert plan.database is None and {c.action for c in plan.changes} <= {"create", "set"}
    with environment(tmp_path / "other.db", lambda _: None) as other:
        other.apply(plan)
        assert other.plan(source.export_config()).empty


@pytest.mark.parametrize("meanwhile, match", [
    (lambda bob: bob.create_account(name="bulk", gateway_type="Clickatell", account_id="1", user_name="x",
                                    sender_id="y", password="p"), "created by someone else"),
    (lambda bob: bob.set_default("Backup"), "default account was changed"),
    (lambda bob: bob.set_sms_text("Lab AD", "Bob's [Code]"), "Lab AD"),
    (lambda bob: bob.delete_identity_store("Lab AD"), "deleted by someone else"),
])
def test_every_kind_of_change_the_plan_touches_is_checked(source, secrets_env, meanwhile, match):
    bob = GatewayAdmin(source.db, keyring=source.keyring, actor="bob")
    document = source.export_config(secrets="omit")
    document["accounts"].append(dict(BULK))
    document["default"] = "Bulk"
    document["identity_stores"][1]["gateway_account"] = "Bulk"  # Lab AD
    assert document["identity_stores"][1]["name"] == "Lab AD"
    plan = source.plan(document)

    meanwhile(bob)

    with pytest.raises(StaleEdit, match=match):
        source.apply(plan)


def test_a_failure_half_way_rolls_back_everything(source, secrets_env):
    bob = GatewayAdmin(source.db, keyring=source.keyring, actor="bob")
    source.create_account(name="Spare", gateway_type="Clickatell", account_id="1", user_name="x", sender_id="y",
                          password="p")
    document = source.export_config(secrets="omit")
    document["accounts"].append(dict(BULK))
    document["identity_stores"][1]["gateway_account"] = "Spare"  # Lab AD -> an account the plan does not touch
    plan = source.plan(document)
    events = len(source.audit_frame())

    bob.delete_account("Spare")  # the link target vanishes: found only when the link is made

    with pytest.raises(NotFound, match="Spare"):
        source.apply(plan)
    assert "Bulk" not in [a.name for a in source.list_accounts()]
    assert len(source.audit_frame()) == events + 1


def test_an_edited_frame_becomes_a_plan(admin, secrets_env):
    document = {"accounts": [{"name": f"acct-{i:03d}", "gateway_type": "Nexmo", "user_name": "k",
                              "password": "env:SMSGW_PRIMARY_PASSWORD", "sender_id": "G"} for i in range(500)]}
    admin.apply(admin.plan(document))
    frame = admin.accounts_frame()
    frame["proxy_host_name"] = "proxy.example.net"
    frame["proxy_port"] = 8080
    frame.loc[frame.name == "acct-007", "name"] = "acct-007-renamed"
    frame.loc[frame.name == "acct-009", "is_default"] = True

    plan = admin.plan_from_frame(frame)

    assert plan.counts() == {"account.modify": 500, "default.set": 1}
    admin.apply(plan)
    after = admin.accounts_frame().set_index("name")
    assert (after.proxy_port == 8080).all() and (after.proxy_host_name == "proxy.example.net").all()
    assert "acct-007-renamed" in after.index and after.loc["acct-009", "is_default"]
    assert (admin.audit_frame(action="account.modify").actor == "tester").sum() == 500
    assert admin.plan_from_frame(admin.accounts_frame()).empty
    with pytest.raises(StaleEdit, match="acct-000"):
        admin.plan_from_frame(frame)  # the edited copy is older than the database now


def test_a_frame_read_from_another_database_is_refused(source, admin, secrets_env):
    for name in ("Prod A", "Prod B"):
        admin.create_account(name=name, gateway_type="Nexmo", user_name="k", password="p", sender_id="PROD")
    frame = source.accounts_frame()
    frame = frame[frame.name == "Backup"].copy()  # id 2, version 1 there; here those are Prod B's
    frame["sender_id"] = "+15005550007"  # (selections and edits keep the frame's attrs)

    with pytest.raises(InvalidInput, match="frame: was read from another database's accounts_frame"):
        admin.plan_from_frame(frame)
    assert source.plan_from_frame(frame).counts() == {"account.modify": 1}


def test_a_frame_never_carries_secrets_or_unknown_columns(admin, secrets_env):
    admin.apply(admin.plan({"accounts": [{"name": "A", "gateway_type": "Nexmo", "user_name": "k",
                                          "password": "env:SMSGW_PRIMARY_PASSWORD", "sender_id": "G"}]}))
    frame = admin.accounts_frame()

    with pytest.raises(InvalidInput, match=r"frame\[0\]\.password: cannot be set from a frame"):
        admin.plan_from_frame(frame.assign(password="hunter2"))
    with pytest.raises(InvalidInput, match=r"frame\.proxy_prot: is not a column"):
        admin.plan_from_frame(frame.assign(proxy_prot=1))
    with pytest.raises(InvalidInput, match=r"frame\[0\]\.proxy_port"):
        admin.plan_from_frame(frame.assign(proxy_host_name="p", proxy_port=70000))
    frame_without = admin.plan_from_frame(frame.iloc[0:0], delete_missing=True)
    assert [(c.action, c.name) for c in frame_without.changes] == [("delete", "A")]
    assert admin.plan_from_frame(frame.iloc[0:0]).empty  # rows left out are kept unless asked


def test_the_plan_shows_which_file_a_secret_is_read_from(tmp_path, admin):
    """A document from elsewhere could read any file this user can (an SSH key) into a password and send
    it to its gateway URL: the plan names the file, never its content."""
    (tmp_path / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    plan = admin.plan({"accounts": [{"name": "A", "gateway_type": "Nexmo", "user_name": "k", "sender_id": "G",
                                     "password": f"file:{tmp_path / 'id_rsa'}"}]})
    assert f"password: 'set (from file:{tmp_path / 'id_rsa'})'" in plan.to_text()
    assert "PRIVATE KEY" not in plan.to_text() + plan.to_frame().to_string()


def test_secrets_from_files_relative_to_the_document(tmp_path, admin):
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "nexmo").write_text("from-a-file\n")
    doc = tmp_path / "gateways.yaml"
    doc.write_text("accounts:\n- {name: A, gateway_type: Nexmo, user_name: k, sender_id: G, password: 'file:secrets/nexmo'}\n")

    admin.apply(admin.plan(str(doc)))

    assert stored_secrets(admin)["A"][0] == "from-a-file"
    assert admin.plan(doc).empty


def test_apply_wants_a_plan(admin):
    with pytest.raises(InvalidInput, match="plan: must be a Plan"):
        admin.apply({"accounts": []})
