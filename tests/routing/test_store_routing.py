"""Fallbacks and country routes: the same guarantees as links (delete refused naming store and role,
RESTRICT foreign keys), audited, with bad input refused by field."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from smsgw_kit import AccountLinked, InvalidInput, NotFound


@pytest.fixture
def three(admin, make_account):
    for name in ("Nexmo UK", "Twilio PK", "Backup"):
        make_account(name, "Twilio" if "Twilio" in name else "Nexmo")
    admin.create_identity_store(name="Corp")
    admin.link("Corp", "Nexmo UK")
    return admin


def test_fallbacks_keep_their_order_and_can_be_reordered(three):
    assert three.set_fallbacks("Corp", ["Backup", "Twilio PK"]) == ["Backup", "Twilio PK"]
    assert three.store_routing("Corp").fallbacks == ("Backup", "Twilio PK")
    three.set_fallbacks("Corp", ["twilio pk", "backup"])
    routing = three.store_routing("Corp")
    assert routing.linked == "Nexmo UK" and routing.fallbacks == ("Twilio PK", "Backup")
    three.set_fallbacks("Corp", [])
    assert three.store_routing("Corp").fallbacks == ()


def test_routes_by_calling_code_or_region_replace_and_remove(three):
    three.set_route("Corp", "44", "Nexmo UK")
    three.set_route("Corp", "+92", "Backup")
    three.set_route("Corp", 92, "Twilio PK")  # replaces the +92 route
    three.set_route("Corp", "gb", "Backup")
    assert three.store_routing("Corp").routes == (("+44", "Nexmo UK"), ("+92", "Twilio PK"), ("GB (+44)", "Backup"))
    three.remove_route("Corp", "GB")
    with pytest.raises(InvalidInput) as err:
        three.remove_route("Corp", "GB")
    assert err.value.field == "country" and "+44, +92" in str(err.value)


@pytest.mark.parametrize("country", ["999", "+0", "XX", "Pakistan", "", 4.4, True])
def test_bad_countries_are_refused_naming_the_field(three, country):
    with pytest.raises(InvalidInput) as err:
        three.set_route("Corp", country, "Backup")
    assert err.value.field == "country" and "calling code" in str(err.value)
    assert three.store_routing("Corp").routes == ()


def test_bad_fallback_lists_change_nothing(three):
    three.set_fallbacks("Corp", ["Backup"])
    with pytest.raises(InvalidInput) as err:
        three.set_fallbacks("Corp", ["Twilio PK", "twilio pk"])
    assert err.value.field == "fallbacks" and "twice" in str(err.value)
    with pytest.raises(NotFound):
        three.set_fallbacks("Corp", ["Twilio PK", "Nope"])
    assert three.store_routing("Corp").fallbacks == ("Backup",)
    for not_a_list in (None, 7.5, {"Backup"}, {"Backup": 1}, b"Backup"):  # a set or dict has no order
        with pytest.raises(InvalidInput) as err:
            three.set_fallbacks("Corp", not_a_list)
        assert err.value.field == "fallback_accounts" and "in the order they are tried" in str(err.value)
    assert three.store_routing("Corp").fallbacks == ("Backup",)
    three.set_fallbacks("Corp", "Twilio PK")  # one name alone is a list of one, not of its letters
    assert three.store_routing("Corp").fallbacks == ("Twilio PK",)


def test_delete_refused_while_fallback_or_in_a_route_naming_store_and_role(three):
    three.create_identity_store(name="Branch")
    three.unlink("Branch")
    three.set_fallbacks("Corp", ["Backup"])
    three.set_route("Branch", "44", "Backup")
    with pytest.raises(AccountLinked) as err:
        three.delete_account("Backup")
    assert err.value.uses == [("Branch", "route for +44"), ("Corp", "fallback")]
    assert "'Branch' (route for +44), 'Corp' (fallback)" in str(err.value)
    with pytest.raises(AccountLinked) as err:
        three.check_deletable("Nexmo UK")
    assert err.value.uses == [("Corp", "linked")] and err.value.stores == ["Corp"]
    three.set_fallbacks("Corp", [])
    three.remove_route("Branch", "+44")
    three.delete_account("Backup")
    with pytest.raises(NotFound):
        three.get_account("Backup")


def test_database_restricts_deleting_an_account_in_use_even_behind_the_service(three):
    three.set_fallbacks("Corp", ["Backup"])
    three.set_route("Corp", "92", "Twilio PK")
    with three.db.engine.connect() as conn:
        for name in ("Backup", "Twilio PK"):
            with pytest.raises(sa.exc.IntegrityError), conn.begin():
                conn.execute(sa.text("DELETE FROM gateway_account WHERE name = :n"), {"n": name})


@pytest.mark.parametrize("sql", [
    "INSERT INTO store_route (identity_store_id, gateway_account_id, calling_code, region) VALUES (1, 1, 44, 'GB')",
    "INSERT INTO store_route (identity_store_id, gateway_account_id, calling_code, region) VALUES (1, 1, NULL, NULL)",
    "INSERT INTO store_route (identity_store_id, gateway_account_id, calling_code, region) VALUES (1, 1, 0, NULL)",
    "INSERT INTO store_fallback (identity_store_id, gateway_account_id, position) VALUES (1, 1, -1)",
])
def test_database_checks_route_and_fallback_rows(three, sql):
    with three.db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError), conn.begin():
        conn.execute(sa.text(sql))


def test_deleting_a_store_drops_its_fallbacks_and_routes(three):
    three.set_fallbacks("Corp", ["Backup"])
    three.set_route("Corp", "92", "Twilio PK")
    three.delete_identity_store("Corp")
    three.delete_account("Backup")
    three.delete_account("Twilio PK")


def test_changes_are_audited(three):
    three.set_fallbacks("Corp", ["Backup", "Twilio PK"])
    three.set_route("Corp", "92", "Twilio PK")
    three.remove_route("Corp", "92")
    three.set_routing_settings(cooldown_seconds=60, retention_days=30)
    events = three.audit_frame()
    by_action = {a: events[events["action"] == a].iloc[0] for a in
                 ("store.set_fallbacks", "store.set_route", "store.remove_route", "routing.settings")}
    assert by_action["store.set_fallbacks"]["after"] == {"fallbacks": ["Backup", "Twilio PK"]}
    assert by_action["store.set_route"]["after"] == {"route": "+92", "gateway_account": "Twilio PK"}
    assert by_action["store.remove_route"]["before"]["gateway_account"] == "Twilio PK"
    assert by_action["routing.settings"]["after"] == {"cooldown_seconds": 60.0, "retention_days": 30}


def test_routing_settings_refuse_out_of_range_values(three):
    for field, value in (("cooldown_seconds", -1), ("cooldown_seconds", "5"), ("retention_days", 0)):
        with pytest.raises(InvalidInput) as err:
            three.set_routing_settings(**{field: value})
        assert err.value.field == field
    assert three.routing_settings() == {"cooldown_seconds": 300.0, "retention_days": 90}


def test_routes_frame_lists_every_store_in_try_order(three):
    three.set_fallbacks("Corp", ["Backup"])
    three.set_route("Corp", "92", "Twilio PK")
    three.create_identity_store(name="Orphan")
    three.unlink("Orphan")
    frame = three.routes_frame()
    assert frame.values.tolist() == [["Corp", "route for +92", "Twilio PK"], ["Corp", "linked", "Nexmo UK"],
                                     ["Corp", "fallback 1", "Backup"], ["Orphan", "none", pd_na()]]
    assert three.account_uses("Backup") == [("Corp", "fallback")]


def pd_na():
    import pandas as pd

    return pd.NA
