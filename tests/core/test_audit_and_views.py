"""Audit records who did what with secrets masked; views have stable columns and real dtypes."""

import pandas as pd
import pytest

from smsgw_kit import GatewayAdmin, InvalidInput
from smsgw_kit.audit import current_actor

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")

ACCOUNT_COLUMNS = [
    "id", "name", "gateway_type", "gateway_url", "account_id", "user_name", "password", "sender_id",
    "proxy_host_name", "proxy_port", "proxy_user_name", "proxy_password", "is_default", "linked_stores",
    "last_test_outcome", "last_test_at", "created_at", "created_by", "updated_at", "updated_by", "version",
]


def test_actor_is_jupyterhub_user_then_os_user(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-alice")
    assert current_actor() == "hub-alice"
    monkeypatch.delenv("JUPYTERHUB_USER")
    import getpass

    assert current_actor() == getpass.getuser()


def test_every_change_is_audited_with_before_and_after(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.modify_account("A", name="Main", password="secret-2")
    admin.create_identity_store(name="Corp")
    admin.unlink("Corp")
    admin.link("Corp", "Main")
    admin.set_sms_text("Corp", "Code: [Code]")
    admin.unlink("Corp")
    admin.delete_account("Main")
    events = admin.audit_frame().iloc[::-1]
    assert list(events["action"]) == [
        "account.create", "account.set_default", "account.modify", "store.create", "store.unlink",
        "store.link", "store.set_sms_text", "store.unlink", "account.delete",
    ]
    assert set(events["actor"]) == {"tester"}
    modify = events[events["action"] == "account.modify"].iloc[0]
    assert modify["before"] == {"name": "A", "password": "set"}
    assert modify["after"] == {"name": "Main", "password": "changed"}
    assert events.iloc[0]["after"]["password"] == "set"


def test_refused_operations_change_nothing_and_audit_nothing(admin):
    admin.create_account(name="A", **NEXMO)
    before = len(admin.audit_frame())
    with pytest.raises(InvalidInput):
        admin.modify_account("A", name="")
    assert len(admin.audit_frame()) == before


def test_actor_override(database, keyring):
    other = GatewayAdmin(database, keyring=keyring, actor="runbook:rotate")
    other.create_account(name="A", **NEXMO)
    assert other.audit_frame(actor="runbook:rotate")["action"].tolist() == ["account.create"]


def test_audit_filters(admin):
    admin.create_account(name="A", **NEXMO)
    admin.create_account(name="B", **NEXMO)
    admin.set_default("B")
    assert admin.audit_frame(action="account.set_default")["object_name"].tolist() == ["B"]
    assert len(admin.audit_frame(object_name="a")) == 1
    future = pd.Timestamp.now(tz="UTC") + pd.Timedelta(hours=1)
    assert admin.audit_frame(since=future.to_pydatetime()).empty
    assert len(admin.audit_frame(until=future.to_pydatetime())) == 3


def test_accounts_view_columns_and_dtypes(admin):
    empty = admin.accounts_frame()
    assert list(empty.columns) == ACCOUNT_COLUMNS
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_account(name="B", **NEXMO, proxy_host_name="p", proxy_port=8080)
    admin.create_identity_store(name="S1")
    admin.create_identity_store(name="S2")
    frame = admin.accounts_frame()
    assert list(frame.columns) == ACCOUNT_COLUMNS
    assert str(frame["proxy_port"].dtype) == "Int64" and str(frame["linked_stores"].dtype) == "Int64"
    assert str(frame["is_default"].dtype) == "boolean"
    assert isinstance(frame["created_at"].dtype, pd.DatetimeTZDtype)
    assert isinstance(frame["last_test_at"].dtype, pd.DatetimeTZDtype)
    assert frame["name"].dtype == "string" and frame["account_id"].dtype == "string"
    assert frame.set_index("name")["linked_stores"].to_dict() == {"A": 2, "B": 0}
    assert frame["proxy_port"].tolist() == [pd.NA, 8080] or frame["proxy_port"].isna().tolist() == [True, False]


def test_store_links_view(admin):
    admin.create_account(name="A", **NEXMO, set_default=True)
    admin.create_identity_store(name="S1")
    admin.create_identity_store(name="S2")
    admin.unlink("S2")
    frame = admin.store_links_frame()
    assert frame[["identity_store", "gateway_account", "link_source"]].astype(object).where(
        frame[["identity_store", "gateway_account", "link_source"]].notna(), None).values.tolist() == [
        ["S1", "A", "default"], ["S2", None, None]]


def test_history_and_audit_views_have_stable_columns_and_dtypes(admin):
    history, events = admin.test_history_frame(), admin.audit_frame()
    assert list(history.columns) == ["id", "started_at", "account_name", "gateway_account_id", "gateway_type",
                                     "phone", "outcome", "duration_ms", "summary", "message_id", "run_by", "stages"]
    assert list(events.columns) == ["id", "at", "actor", "action", "object_kind", "object_id", "object_name",
                                    "before", "after", "db_user"]
    admin.create_account(name="A", **NEXMO)
    events = admin.audit_frame()
    assert isinstance(events["at"].dtype, pd.DatetimeTZDtype) and str(events["object_id"].dtype) == "Int64"
    assert events["actor"].dtype == "string" and isinstance(events.iloc[0]["after"], dict)
    assert isinstance(history["started_at"].dtype, pd.DatetimeTZDtype)
    assert str(history["duration_ms"].dtype) == "Float64" and history["outcome"].dtype == "string"
