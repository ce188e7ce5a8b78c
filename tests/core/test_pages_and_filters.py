"""Paged, searchable accounts for the UI, history filters, and saving SMS Authentication in one step."""

import pandas as pd
import pytest

from smsgw_kit import InvalidInput, NotFound

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


def test_accounts_page_searches_pages_and_names_linked_stores(admin):
    for name in ["alpha", "beta", "gamma_1", "gamma%2", "delta"]:
        admin.create_account(name=name, **NEXMO)
    admin.set_default("beta")
    admin.create_identity_store(name="Zed")
    admin.create_identity_store(name="Ann")
    frame, total = admin.accounts_page(limit=2)
    assert total == 5 and frame["name"].tolist() == ["alpha", "beta"]
    assert frame.set_index("name").loc["beta", "linked_store_names"] == ["Ann", "Zed"]
    frame, total = admin.accounts_page(offset=4, limit=2)
    assert total == 5 and frame["name"].tolist() == ["gamma_1"]
    frame, total = admin.accounts_page(search="GAMMA%")  # typed wildcards match literally
    assert (total, frame["name"].tolist()) == (1, ["gamma%2"])
    frame, total = admin.accounts_page(search="_")
    assert frame["name"].tolist() == ["gamma_1"]
    assert admin.accounts_page(search="nexmo")[1] == 5 and admin.accounts_page(search="nope")[1] == 0


def test_history_filters(admin):
    admin.create_account(name="A", **NEXMO)
    with admin.db.engine.begin() as conn:
        for who, outcome in [("ann", "passed"), ("bob", "failed"), ("ann", "failed")]:
            conn.exec_driver_sql(
                "INSERT INTO connection_test_run (account_name, gateway_type, started_at, duration_ms, outcome,"
                f" summary, stages, run_by) VALUES ('A', 'Nexmo', CURRENT_TIMESTAMP, 1, '{outcome}', '', '[]', '{who}')")
    assert len(admin.test_history_frame(run_by="ann")) == 2
    assert len(admin.test_history_frame(outcome="failed")) == 2
    assert len(admin.test_history_frame(run_by="ann", outcome="failed")) == 1
    future = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(hours=1)).to_pydatetime()
    assert admin.test_history_frame(since=future).empty and len(admin.test_history_frame(until=future)) == 3


def test_configure_sms_authentication_is_one_step(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_account(name="B", **NEXMO)
    admin.create_identity_store(name="Corp")
    out = admin.configure_sms_authentication("Corp", account="B", sms_text="Code [Code]")
    assert (out.gateway_account_name, out.link_source, out.sms_text) == ("B", "manual", "Code [Code]")
    with pytest.raises(InvalidInput):  # a bad text leaves the link alone too
        admin.configure_sms_authentication("Corp", account="A", sms_text="no code")
    with pytest.raises(NotFound):  # a missing account leaves the text alone too
        admin.configure_sms_authentication("Corp", account="ghost", sms_text="New [Code]")
    store = admin.get_identity_store("Corp")
    assert (store.gateway_account_name, store.sms_text) == ("B", "Code [Code]")
    out = admin.configure_sms_authentication("Corp", account=None, sms_text="Code [Code]")
    assert out.gateway_account_id is None
