"""The document's fallbacks and routes sections on SQLite and PostgreSQL: exported, planned field by field,
checked with the entry's path by routes.py's own rules, applied through its operations, stale plans refused."""

from __future__ import annotations

import pandas as pd
import pytest
from other_environment import environment

from smsgw_kit import AccountLinked, GatewayAdmin, InvalidInput, StaleEdit, config
from smsgw_kit.routes import MAX_FALLBACKS

NAMES = ("Nexmo UK", "Twilio PK", "Backup", "Spare")
SECRET_ENV = {f"SMSGW_{n.upper().replace(' ', '_')}_PASSWORD": f"secret-of-{n}" for n in NAMES}


def populate(admin: GatewayAdmin) -> None:
    """Four accounts; Corp linked to Nexmo UK with two fallbacks and two routes; Branch with one route."""
    for name in NAMES:
        admin.create_account(name=name, gateway_type="Nexmo", user_name="key", password=f"secret-of-{name}",
                             sender_id="GroupID", set_default=name == "Nexmo UK")
    admin.create_identity_store(name="Corp")
    admin.create_identity_store(name="Branch")
    admin.link("Branch", "Backup")
    admin.set_fallbacks("Corp", ["Backup", "Twilio PK"])
    admin.set_route("Corp", "92", "Twilio PK")
    admin.set_route("Corp", "gb", "Backup")
    admin.set_route("Branch", "+44", "Nexmo UK")


@pytest.fixture
def source(tmp_path, monkeypatch) -> GatewayAdmin:
    """A populated SQLite database under keys of its own; its secrets in the environment for export."""
    for name, value in SECRET_ENV.items():
        monkeypatch.setenv(name, value)
    with environment(tmp_path / "source.db", populate) as admin:
        yield admin


@pytest.fixture
def routed(admin, monkeypatch) -> GatewayAdmin:
    """The same, on the parametrised database (SQLite and PostgreSQL)."""
    for name, value in SECRET_ENV.items():
        monkeypatch.setenv(name, value)
    populate(admin)
    return admin


def test_export_writes_fallbacks_in_order_and_routes_as_parse_country_reads_them(source):
    document = source.export_config()

    assert document["fallbacks"] == {"Corp": ["Backup", "Twilio PK"]}
    assert document["routes"] == {"Branch": {"+44": "Nexmo UK"}, "Corp": {"+92": "Twilio PK", "GB": "Backup"}}
    assert list(document)[-2:] == ["fallbacks", "routes"]
    assert config.load(config.to_yaml(document))[0] == document  # '+44' stays text in YAML
    source.set_fallbacks("Corp", [])
    for store in ("Corp", "Branch"):
        for country, _ in source.store_routing(store).routes:
            source.remove_route(store, country.split()[0])
    assert source.export_config(secrets="omit")["fallbacks"] == {} == source.export_config()["routes"]


def test_export_then_apply_to_an_empty_database_reproduces_the_routing(source, admin):
    document = source.export_config()

    plan = admin.plan(config.to_yaml(document))
    admin.apply(plan)

    pd.testing.assert_frame_equal(admin.routes_frame(), source.routes_frame())
    assert admin.export_config() == document
    assert admin.plan(document).empty  # a second apply of the same document changes nothing
    assert plan.counts()["fallbacks.set"] == 1 and plan.counts()["routes.set"] == 2
    events = admin.audit_frame().sort_values("id")
    made = events[events.action.str.startswith("store.set_")]
    assert list(made.action) == ["store.set_fallbacks", "store.set_route", "store.set_route", "store.set_route"]
    assert made.iloc[0]["after"] == {"fallbacks": ["Backup", "Twilio PK"]}  # as set by hand


def test_the_plan_shows_each_fallback_list_and_route_change_field_by_field(routed):
    document = routed.export_config(secrets="omit")
    document["fallbacks"]["Corp"] = ["Twilio PK", "Spare"]
    document["routes"]["Corp"] = {"92": "Spare", "CA": "Backup"}  # +92 changed, GB removed, CA added

    plan = routed.plan(document)

    assert plan.to_text() == (
        "~ set fallbacks 'Corp'\n    fallbacks: ['Backup', 'Twilio PK'] -> ['Twilio PK', 'Spare']\n"
        "~ set routes 'Corp'\n    +92: 'Twilio PK' -> 'Spare'\n    CA: (none) -> 'Backup'\n    GB: 'Backup' -> (none)\n"
        "\nPlan: 1 fallbacks.set, 1 routes.set.")
    frame = plan.to_frame()
    assert frame[["kind", "field", "before", "after", "path"]].values.tolist() == [
        ["fallbacks", "fallbacks", ["Backup", "Twilio PK"], ["Twilio PK", "Spare"], "fallbacks['Corp']"],
        ["routes", "+92", "Twilio PK", "Spare", "routes['Corp']"],
        ["routes", "CA", None, "Backup", "routes['Corp']"],
        ["routes", "GB", "Backup", None, "routes['Corp']"]]
    routed.apply(plan)
    corp = routed.store_routing("Corp")
    assert corp.fallbacks == ("Twilio PK", "Spare")
    assert corp.routes == (("+92", "Spare"), ("CA (+1)", "Backup"))
    assert routed.plan(document).empty
    removed = routed.audit_frame(action="store.remove_route").iloc[0]
    assert removed["before"] == {"route": "GB (+44)", "gateway_account": "Backup"} and removed["actor"] == "tester"


def test_a_store_left_out_of_a_section_loses_its_entries_and_a_section_left_out_is_kept(routed):
    document = routed.export_config(secrets="omit")
    del document["routes"]["Branch"]
    document["fallbacks"] = None  # null: no store has fallbacks

    plan = routed.plan(document)

    assert [(c.kind, c.name, list(c.fields)) for c in plan.changes] == [
        ("fallbacks", "Corp", ["fallbacks"]), ("routes", "Branch", ["+44"])]
    routed.apply(plan)
    assert routed.store_routing("Corp").fallbacks == () and routed.store_routing("Branch").routes == ()
    assert routed.store_routing("Corp").routes == (("+92", "Twilio PK"), ("GB (+44)", "Backup"))
    del document["fallbacks"], document["routes"]
    routed.set_fallbacks("Corp", ["Spare"])
    assert routed.plan(document).empty  # the sections left out: fallbacks and routes as they are


def test_new_stores_and_accounts_of_the_same_plan_can_be_used(routed):
    document = routed.export_config(secrets="omit")
    document["accounts"].append({"name": "Fresh", "gateway_type": "Nexmo", "user_name": "k", "sender_id": "G",
                                 "password": "env:SMSGW_SPARE_PASSWORD"})
    document["identity_stores"].append({"name": "Lab", "gateway_account": None})
    document["fallbacks"] = {"Corp": ["backup", "Twilio PK"], "Lab": ["Fresh"]}  # Corp's list is unchanged
    document["routes"]["lab"] = {"44": "Fresh"}

    plan = routed.plan(document)

    assert [(c.kind, c.action, c.name) for c in plan.changes] == [
        ("account", "create", "Fresh"), ("identity_store", "create", "Lab"), ("fallbacks", "set", "Lab"),
        ("routes", "set", "Lab")]
    assert plan.changes[-1].fields == {"+44": (None, "Fresh")}
    routed.apply(plan)
    assert routed.store_routing("Lab").fallbacks == ("Fresh",) and routed.store_routing("Lab").routes == (("+44", "Fresh"),)
    assert routed.plan(document).empty


def _doc(admin: GatewayAdmin, section: str, value) -> dict:
    document = admin.export_config(secrets="omit")
    document[section] = value
    return document


@pytest.mark.parametrize("section, value, path, words", [
    ("fallbacks", ["Corp"], "fallbacks", "must be a mapping of identity store names"),
    ("fallbacks", {"Nowhere": ["Backup"]}, "fallbacks['Nowhere']", "names no identity store"),
    ("fallbacks", {"Corp": ["Backup"], " corp": []}, "fallbacks[' corp']", "repeats the identity store"),
    ("fallbacks", {"Corp": "Backup"}, "fallbacks['Corp']", "must be a list of account names, not str"),
    ("fallbacks", {"Corp": ["Backup", "Nope"]}, "fallbacks['Corp'][1]", "names no account: 'Nope'"),
    ("fallbacks", {"Corp": ["Backup", 7]}, "fallbacks['Corp'][1]", "must be text, not int"),
    ("fallbacks", {"Corp": ["Backup", "Spare", "backup "]}, "fallbacks['Corp'][2]", "'Backup' is listed twice"),
    ("fallbacks", {"Corp": ["Backup"] * (MAX_FALLBACKS + 1)}, "fallbacks['Corp']", f"at most {MAX_FALLBACKS}"),
    ("routes", {"Corp": ["Backup"]}, "routes['Corp']", "must be a mapping of countries to account names"),
    ("routes", {"Corp": {"XX": "Backup"}}, "routes['Corp']['XX']", "'XX' is not a region with phone numbers"),
    ("routes", {"Corp": {"999": "Backup"}}, "routes['Corp']['999']", "+999 is not a country calling code"),
    ("routes", {"Corp": {"Pakistan": "Backup"}}, "routes['Corp']['Pakistan']", "neither a calling code nor a region"),
    ("routes", {"Corp": {"44": "Backup", "+44": "Spare"}}, "routes['Corp']['+44']", "same country as routes['Corp']['44']"),
    ("routes", {"Corp": {"GB": "Nope"}}, "routes['Corp']['GB']", "names no account: 'Nope'"),
    ("routes", {"Branch": {"44": None}}, "routes['Branch']['44']", "must be text"),
])
def test_bad_entries_are_refused_with_their_path_and_nothing_changes(routed, section, value, path, words):
    before = routed.routes_frame()

    with pytest.raises(InvalidInput) as err:
        routed.plan(_doc(routed, section, value))

    assert err.value.field == path and words in str(err.value)
    pd.testing.assert_frame_equal(routed.routes_frame(), before)


def test_an_account_the_plan_deletes_cannot_stay_a_fallback_or_route(routed):
    document = routed.export_config(secrets="omit")
    document["accounts"] = [a for a in document["accounts"] if a["name"] != "Twilio PK"]

    with pytest.raises(AccountLinked) as err:  # the document still names it as Corp's fallback
        routed.plan(document)
    assert err.value.uses == [("Corp", "fallback")] and "fallbacks['Corp'][1]" in str(err.value)

    document["fallbacks"]["Corp"] = ["Backup"]
    with pytest.raises(AccountLinked, match=r"'Corp' \(route for \+92\).*routes\['Corp'\]\['\+92'\]"):
        routed.plan(document)

    del document["fallbacks"], document["routes"]  # sections left out: the database's uses stand
    with pytest.raises(AccountLinked) as err:
        routed.plan(document)
    assert err.value.uses == [("Corp", "fallback"), ("Corp", "route for +92")]
    assert "'Corp' (fallback), 'Corp' (route for +92)" in str(err.value)


def test_an_account_the_document_stops_using_is_deleted_in_the_same_apply(routed):
    document = routed.export_config(secrets="omit")
    document["accounts"] = [a for a in document["accounts"] if a["name"] != "Twilio PK"]
    document["fallbacks"]["Corp"] = ["Backup"]
    document["routes"]["Corp"]["+92"] = "Spare"

    plan = routed.plan(document)
    routed.apply(plan)

    assert [(c.kind, c.action) for c in plan.changes][-1] == ("account", "delete")
    assert "Twilio PK" not in [a.name for a in routed.list_accounts()]
    assert routed.store_routing("Corp").routes == (("+92", "Spare"), ("GB (+44)", "Backup"))
    assert routed.plan(document).empty


def test_a_store_the_plan_deletes_takes_its_fallbacks_and_routes_along(routed):
    document = routed.export_config(secrets="omit")
    document["identity_stores"] = [s for s in document["identity_stores"] if s["name"] != "Branch"]
    document["accounts"] = [a for a in document["accounts"] if a["name"] != "Nexmo UK"]  # Branch's +44 route
    document["identity_stores"][0]["gateway_account"] = "Spare"  # Corp
    document["default"] = "Spare"
    del document["routes"]  # left out: only the deleted store routes through Nexmo UK

    routed.apply(routed.plan(document))

    assert [a.name for a in routed.list_accounts()] == ["Backup", "Spare", "Twilio PK"]
    with pytest.raises(InvalidInput, match=r"routes\['Branch'\]: names no identity store"):
        routed.plan({"routes": {"Branch": {}}})


@pytest.mark.parametrize("meanwhile", [
    lambda bob: bob.set_fallbacks("Corp", ["Backup"]),
    lambda bob: bob.set_route("Corp", "+1", "Spare"),  # a route the plan does not mention
    lambda bob: bob.remove_route("Corp", "GB"),
])
def test_a_plan_made_stale_by_another_operator_is_refused_and_changes_nothing(routed, meanwhile):
    bob = GatewayAdmin(routed.db, keyring=routed.keyring, actor="bob")
    document = routed.export_config(secrets="omit")
    document["fallbacks"]["Corp"] = ["Spare"]
    document["routes"]["Corp"]["+92"] = "Spare"
    document["accounts"][0]["sender_id"] = "NewSender"  # Backup
    plan = routed.plan(document)

    meanwhile(bob)
    seen = (routed.routes_frame(), len(routed.audit_frame()))

    with pytest.raises(StaleEdit, match="'Corp' were changed by someone else after the plan was made"):
        routed.apply(plan)
    pd.testing.assert_frame_equal(routed.routes_frame(), seen[0])
    assert len(routed.audit_frame()) == seen[1] and routed.get_account("Backup").sender_id == "GroupID"


def test_a_store_deleted_after_the_plan_makes_it_stale(routed):
    bob = GatewayAdmin(routed.db, keyring=routed.keyring, actor="bob")
    plan = routed.plan({"routes": {"Corp": {}}, "fallbacks": {"Branch": ["Spare"]}})
    bob.delete_identity_store("Branch")

    with pytest.raises(StaleEdit, match="'Branch' was deleted by someone else"):
        routed.apply(plan)
    assert routed.store_routing("Corp").routes != ()


def test_an_account_made_a_fallback_after_the_plan_is_not_deleted(routed):
    bob = GatewayAdmin(routed.db, keyring=routed.keyring, actor="bob")
    document = routed.export_config(secrets="omit")
    document["accounts"] = [a for a in document["accounts"] if a["name"] != "Spare"]
    del document["fallbacks"], document["routes"]
    plan = routed.plan(document)
    bob.set_route("Branch", "PK", "Spare")  # the delete guard of apply still holds

    with pytest.raises(AccountLinked, match=r"'Spare'.*'Branch' \(route for PK \(\+92\)\)"):
        routed.apply(plan)
    assert routed.get_account("Spare").name == "Spare"
