"""Delivery status from the providers that let us ask, the delivery log (masked) with its purge, and
Test Connection's Delivered stage, all against the emulator's queued → sent → delivered/undelivered."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from smsgw_kit import InvalidInput

UK = "447079692712"


def _store_with(admin, account):
    admin.create_identity_store(name="Corp")
    admin.link("Corp", account)
    return "Corp"


def _wait_final(admin, report, limit=5.0):
    deadline = time.monotonic() + limit
    seen = []
    while time.monotonic() < deadline:
        status = admin.delivery_status(report)
        seen.append(status.status)
        if status.final:
            return status, seen
        time.sleep(0.1)
    raise AssertionError(f"no final status in {limit} s: {seen}")


@pytest.mark.parametrize("provider", ["Twilio", "Clickatell", "Bulletin.net"])
def test_status_goes_from_pending_to_delivered(admin, emu, make_account, provider):
    make_account("Acct", provider)
    report = admin.send_code(_store_with(admin, "Acct"), UK)
    assert report.sent and report.message_id, report.summary
    first = admin.delivery_status(report)
    assert first.status == "pending", first
    status, _ = _wait_final(admin, report.send_id)
    assert status.status == "delivered", status
    log = admin.deliveries_frame()
    assert log.iloc[0]["delivery_status"] == "delivered" and pd.notna(log.iloc[0]["status_checked_at"])


@pytest.mark.parametrize(("provider", "failure", "words"), [
    ("Twilio", "30003", "Unreachable destination handset"),
    ("Clickatell", "007", "error delivering message"),
    ("Bulletin.net", "NUR", "number unreachable"),
])
def test_undelivered_carries_the_providers_reason(admin, emu, make_account, provider, failure, words):
    emu.set_delivery(provider, step=0.05, failure=failure)
    make_account("Acct", provider)
    report = admin.send_code(_store_with(admin, "Acct"), UK)
    status, _ = _wait_final(admin, report)
    assert status.status == "undelivered" and words in status.reason and failure in status.reason


def test_providers_without_a_status_query_say_so(admin, emu, make_account):
    make_account("Acct", "Nexmo")
    report = admin.send_code(_store_with(admin, "Acct"), UK)
    status = admin.delivery_status(report)
    assert status.status == "unsupported" and "not offered by this provider" in status.reason


def test_a_send_that_may_have_gone_out_has_no_status_to_ask(admin, emu, make_account):
    make_account("Acct", "Twilio", read_timeout=0.3)
    emu.inject("Twilio", timeout=True)
    report = admin.send_code(_store_with(admin, "Acct"), UK)
    emu.clear()
    status = admin.delivery_status(report)
    assert status.status == "unknown" and "no message id" in status.reason


def test_log_masks_numbers_never_holds_the_code_and_keeps_every_attempt(admin, emu, make_account, dead):
    make_account("Down", gateway_url=dead.url_for("Nexmo"))
    make_account("Up", "Twilio")
    _store_with(admin, "Down")
    admin.set_fallbacks("Corp", ["Up"])
    report = admin.send_code("Corp", UK, code="987654")
    log = admin.deliveries_frame()
    assert log["account_name"].tolist() == ["Up", "Down"]  # newest first
    assert log["outcome"].tolist() == ["sent", "not_sent"]
    assert set(log["phone_masked"]) == {"+44••••••2712"} and set(log["send_id"]) == {report.send_id}
    assert not log.astype(str).apply(lambda col: col.str.contains("987654|7079692712")).any().any()
    with admin.db.engine.connect() as conn:
        dump = " ".join(str(r) for t in ("delivery_attempt", "audit_event") for r in
                        conn.execute(sa.text(f"SELECT * FROM {t}")).all())
    assert "987654" not in dump and "7079692712" not in dump
    assert "987654" not in str(report.to_dict()) and "987654" not in repr(report)
    assert len(admin.deliveries_frame(store="corp", outcome="not_sent")) == 1


def test_purge_keeps_what_is_within_the_retention(admin, emu, make_account):
    make_account("Acct", "Twilio")
    _store_with(admin, "Acct")
    admin.send_code("Corp", UK)
    admin.send_code("Corp", UK)
    old = datetime.now(UTC) - timedelta(days=40)
    with admin.db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE delivery_attempt SET at = :at WHERE id = 1"), {"at": old})
    admin.set_routing_settings(retention_days=30)
    assert admin.purge_deliveries() == 1
    assert len(admin.deliveries_frame()) == 1
    assert admin.purge_deliveries(older_than_days=0) == 1
    assert admin.audit_frame().iloc[0]["action"] == "deliveries.purge"


def test_connection_delivered_stage_waits_until_delivered(admin, emu, make_account):
    make_account("Acct", "Twilio")
    progress = []
    report = admin.test_connection("Acct", UK, wait_delivered=5, on_progress=lambda *a: progress.append(a[2].status))
    stage = report.stage("delivered")
    assert stage.outcome == "passed" and "delivered" in stage.reason, stage
    assert progress[0] in ("pending", "delivered") and progress[-1] == "delivered"
    assert admin.test_history_frame().iloc[0]["stages"][-1]["name"] == "delivered"


def test_connection_delivered_stage_is_bounded_cancellable_and_says_unsupported(admin, emu, make_account):
    emu.set_delivery("Twilio", step=30)
    make_account("Slow", "Twilio")
    make_account("Nexmo")
    start = time.monotonic()
    slow = admin.test_connection("Slow", UK, wait_delivered=0.6).stage("delivered")
    assert slow.outcome == "skipped" and "gave up after 0.6 s: still pending" in slow.reason
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    cancelled = admin.test_connection("Slow", UK, wait_delivered=20, cancel=cancel).stage("delivered")
    assert cancelled.outcome == "skipped" and "cancelled" in cancelled.reason
    assert time.monotonic() - start < 10
    nexmo = admin.test_connection("Nexmo", UK, wait_delivered=5).stage("delivered")
    assert nexmo.outcome == "unsupported" and "not offered by this provider" in nexmo.reason
    without_phone = admin.test_connection("Nexmo", wait_delivered=5).stage("delivered")
    assert without_phone.outcome == "skipped"


def test_summary_shows_which_account_is_failing_and_why(admin, emu, make_account, dead):
    make_account("Down", gateway_url=dead.url_for("Nexmo"))
    make_account("Up", "Twilio")
    _store_with(admin, "Down")
    admin.set_fallbacks("Corp", ["Up"])
    admin.set_routing_settings(cooldown_seconds=0)
    for _ in range(3):
        admin.send_code("Corp", UK)
    summary = admin.deliveries_summary(hours=1).set_index("account_name")
    assert summary.loc["Down", ["attempts", "sent", "not_sent"]].tolist() == [3, 0, 3]
    assert summary.loc["Up", ["attempts", "sent", "not_sent"]].tolist() == [3, 3, 0]
    assert "refused the connection" in summary.loc["Down", "last_failure"]
    assert summary.index[0] == "Down"  # the failing account first
    assert admin.deliveries_summary(hours=1).columns.tolist() == list(summary.reset_index().columns)


@pytest.mark.parametrize(("filters", "field"), [
    ({"since": "yesterday"}, "since"), ({"since": datetime(2026, 1, 1)}, "since"), ({"store": 7}, "store"),
    ({"outcome": ["sent"]}, "outcome"), ({"limit": -1}, "limit"), ({"limit": "10"}, "limit"),
    ({"limit": True}, "limit"), ({"limit": 10**12}, "limit"),
])
def test_bad_log_filters_are_refused_naming_the_filter(admin, filters, field):
    """Each used to reach the database or Python as it was (a pandas DatabaseError with the SQL, an
    AttributeError), or was passed on as a LIMIT PostgreSQL refuses."""
    with pytest.raises(InvalidInput) as err:
        admin.deliveries_frame(**filters)
    assert err.value.field == field


@pytest.mark.parametrize("hours", [0, -5, "x", float("nan"), float("inf"), True, 10**9])
def test_bad_summary_hours_are_refused(admin, hours):
    with pytest.raises(InvalidInput, match="hours"):
        admin.deliveries_summary(hours=hours)


def test_bulletin_status_poll_keeps_the_password_out_of_the_url(admin, emu, make_account):
    make_account("Acct", "Bulletin.net")
    report = admin.send_code(_store_with(admin, "Acct"), UK)
    admin.delivery_status(report)
    polls = [r for r in emu.requests_for("Bulletin.net") if r.path.endswith("/sms/status")]
    assert polls and all(not r.query for r in polls)
    assert all(r.basic_auth and r.basic_auth[1] for r in polls)
