"""send_code against the emulator: fail over only when the message was provably not accepted, never twice."""

from __future__ import annotations

import pytest

from smsgw_kit import InvalidInput
from smsgw_kit.errors import ConnectFailed, GatewayError, GatewayTimeout, ProxyFailed
from smsgw_kit.gateways import SendResult
from smsgw_kit.routing import classify

UK, PK = "447079692712", "923225867987"


def _store(admin, linked, fallbacks=(), name="Corp"):
    admin.create_identity_store(name=name)
    admin.link(name, linked)
    admin.set_fallbacks(name, list(fallbacks))
    return name


def test_primary_refuses_connections_fallback_sends_exactly_one_message(admin, emu, dead, make_account, sends):
    make_account("Nexmo EU", gateway_url=dead.url_for("Nexmo"))
    make_account("Twilio", "Twilio")
    store = _store(admin, "Nexmo EU", ["Twilio"])
    report = admin.send_code(store, UK)
    assert report.outcome == "sent", report.summary
    assert report.account == "Twilio" and report.message_id.startswith("SM")
    first, second = report.attempts
    assert (first.account, first.outcome, first.stage) == ("Nexmo EU", "not_sent", "connect")
    assert "refused" in first.reason
    assert (second.account, second.outcome) == ("Twilio", "sent")
    assert len(sends()) == 1
    assert sends()[0].form["Body"] == f"Your verification code is {report.code}."
    assert len(report.code) == 6 and report.code.isdigit() and report.code not in repr(report)


def test_primary_times_out_on_the_send_no_failover_may_have_been_sent(admin, emu, make_account):
    make_account("Nexmo EU", read_timeout=0.5)
    make_account("Twilio", "Twilio")
    store = _store(admin, "Nexmo EU", ["Twilio"])
    emu.inject("Nexmo", timeout=True)
    report = admin.send_code(store, UK, code="424242")
    assert report.outcome == "may_have_been_sent", report.summary
    assert [a.account for a in report.attempts] == ["Nexmo EU"]
    assert report.attempts[0].outcome == "unknown" and report.attempts[0].stage == "send"
    assert "MAY HAVE BEEN SENT" in report.summary and "never gets two codes" in report.summary
    assert len(emu.requests) == 1 and not emu.requests_for("Twilio")


@pytest.mark.parametrize("fault", [{"status": 503}, {"malformed": True}])
def test_server_error_or_unreadable_reply_stops_without_failover(admin, emu, fault, make_account, sends):
    make_account("Nexmo EU")
    make_account("Twilio", "Twilio")
    store = _store(admin, "Nexmo EU", ["Twilio"])
    emu.inject("Nexmo", **fault)
    report = admin.send_code(store, UK)
    assert report.outcome == "may_have_been_sent", report.summary
    assert len(sends()) == 1 and not emu.requests_for("Twilio")


def test_credentials_refused_and_documented_rejection_fail_over(admin, emu, make_account, sends):
    make_account("Nexmo bad key", password="wrong-secret")
    make_account("Clickatell", "Clickatell")
    make_account("Twilio", "Twilio")
    store = _store(admin, "Nexmo bad key", ["Clickatell", "Twilio"])
    emu.inject("Clickatell", error="105")  # Invalid destination address, a documented rejection
    report = admin.send_code(store, UK)
    assert report.outcome == "sent" and report.account == "Twilio", report.summary
    assert [(a.account, a.stage) for a in report.attempts[:2]] == [("Nexmo bad key", "provider"),
                                                                   ("Clickatell", "provider")]
    assert "status 4" in report.attempts[0].reason and "wrong-secret" not in report.summary
    assert "105" in report.attempts[1].reason
    assert len([r for r in sends() if r.provider == "Twilio"]) == 1


def test_faults_injected_per_account_hit_only_that_account(admin, emu, make_account, sends):
    emu.add_credentials("Nexmo", user_name="second1", password="second-secret")
    make_account("Nexmo A")
    make_account("Nexmo B", user_name="second1", password="second-secret")
    store = _store(admin, "Nexmo A", ["Nexmo B"])
    emu.inject("Nexmo", error="8", account="emu12345")  # partner account barred, for Nexmo A only
    report = admin.send_code(store, UK)
    assert report.account == "Nexmo B" and report.attempts[0].stage == "provider", report.summary
    assert [r.form["api_key"] for r in sends()] == ["emu12345", "second1"]


def test_the_next_send_sees_what_another_connection_changed(admin, emu, make_account, sends, database_url, keyring):
    """Nothing of the routing is kept between sends: a relink, new credentials and a failed Test Connection
    made through another database connection decide the very next send (its HTTP connections stay open)."""
    from smsgw_kit import Database, GatewayAdmin

    emu.add_credentials("Nexmo", user_name="second1", password="second-secret")
    make_account("Nexmo A")
    make_account("Nexmo B", user_name="second1", password="second-secret")
    store = _store(admin, "Nexmo A")
    other = GatewayAdmin(Database(database_url), keyring=keyring, actor="other")
    try:
        assert admin.send_code(store, UK).account == "Nexmo A"
        other.link(store, "Nexmo B")
        assert admin.send_code(store, UK).account == "Nexmo B"
        other.modify_account("Nexmo B", password="changed-secret")
        refused = admin.send_code(store, UK)
        assert refused.outcome == "failed" and refused.attempts[0].stage == "provider", refused.summary
        assert sends()[-1].form["api_secret"] == "changed-secret"
        other.modify_account("Nexmo B", password="second-secret")
        assert admin.send_code(store, UK).account == "Nexmo B"  # a success: Nexmo B is not cooling down
        other.link(store, "Nexmo A")
        other.set_fallbacks(store, ["Nexmo B"])
        other.modify_account("Nexmo A", password="wrong-secret")
        assert other.test_connection("Nexmo A").outcome == "failed"
        report = admin.send_code(store, UK)
        assert [a.account for a in report.attempts] == ["Nexmo B"], report.summary  # Nexmo A went to the back
    finally:
        other.close()
        other.db.dispose()


def test_sends_reuse_one_open_connection_until_the_admin_closes_it(admin, emu, make_account, monkeypatch):
    from smsgw_kit.gateways import http

    built = []
    real = http.build_client
    monkeypatch.setattr(http, "build_client", lambda settings: built.append(real(settings)) or built[-1])
    make_account("Nexmo A")
    store = _store(admin, "Nexmo A")
    assert all(admin.send_code(store, UK).sent for _ in range(3))
    assert len(built) == 1 and not built[0].is_closed
    admin.close()
    assert built[0].is_closed
    assert admin.send_code(store, UK).sent and len(built) == 2


def test_a_read_only_connection_sends_nothing_and_logs_nothing(admin, emu, make_account, sends, database_url):
    from smsgw_kit import Database, GatewayAdmin, ReadOnly

    make_account("Nexmo A")
    store = _store(admin, "Nexmo A")
    auditor = GatewayAdmin(Database(database_url, migrate=False), read_only=True)
    try:
        with pytest.raises(ReadOnly):
            auditor.send_code(store, UK)
        assert sends() == [] and admin.deliveries_frame().empty
        assert [c.account for c in auditor.route_preview(store, UK)] == ["Nexmo A"]  # previews still work
    finally:
        auditor.db.dispose()


def test_every_account_refusing_reports_failed_and_nothing_sent(admin, emu, dead, make_account, sends):
    make_account("Down 1", gateway_url=dead.url_for("Nexmo"))
    make_account("Down 2", "Twilio", gateway_url=dead.url_for("Twilio"))
    store = _store(admin, "Down 1", ["Down 2"])
    report = admin.send_code(store, UK)
    assert report.outcome == "failed" and not report.may_have_been_sent
    assert "not sent" in report.summary and sends() == []


def test_store_without_accounts_reports_no_account(admin, emu):
    admin.create_identity_store(name="Empty")
    report = admin.send_code("Empty", UK)
    assert report.outcome == "no_account" and "link an account" in report.summary


def test_country_route_is_chosen_for_its_numbers_only(admin, emu, make_account):
    make_account("Nexmo UK")
    make_account("Twilio PK", "Twilio")
    store = _store(admin, "Nexmo UK")
    admin.set_route(store, "+92", "Twilio PK")
    pk = admin.send_code(store, PK)
    assert pk.account == "Twilio PK" and pk.attempts[0].role == "route for +92"
    uk = admin.send_code(store, UK)
    assert uk.account == "Nexmo UK" and uk.attempts[0].role == "linked"
    preview = admin.route_preview(store, PK)
    assert [(c.account, c.role) for c in preview] == [("Twilio PK", "route for +92"), ("Nexmo UK", "linked")]
    assert "PK (+92)" in preview[0].why


def test_region_route_is_tried_before_its_calling_code_route(admin, emu, make_account):
    make_account("Linked")
    make_account("North America", "Twilio")
    make_account("Canada", "Clickatell")
    store = _store(admin, "Linked")
    admin.set_route(store, 1, "North America")
    admin.set_route(store, "ca", "Canada")
    order = [c.account for c in admin.route_preview(store, "+1 613 555 0123")]
    assert order == ["Canada", "North America", "Linked"]
    assert [c.account for c in admin.route_preview(store, "18588123169")] == ["North America", "Linked"]


def test_recent_failures_go_to_the_back_until_the_cool_down_ends(admin, emu, dead, make_account):
    make_account("Primary", gateway_url=dead.url_for("Nexmo"))
    make_account("Backup", "Twilio")
    store = _store(admin, "Primary", ["Backup"])
    assert [c.account for c in admin.route_preview(store, UK)] == ["Primary", "Backup"]
    admin.send_code(store, UK)  # Primary refuses, Backup sends
    preview = admin.route_preview(store, UK)
    assert [c.account for c in preview] == ["Backup", "Primary"]
    assert preview[1].cooling_down and "a send failed" in preview[1].why
    second = admin.send_code(store, UK)
    assert [a.account for a in second.attempts] == ["Backup"]  # no time lost on the dead one
    admin.set_routing_settings(cooldown_seconds=0)
    assert [c.account for c in admin.route_preview(store, UK)] == ["Primary", "Backup"]


def test_a_failed_test_connection_cools_down_and_a_passing_one_clears_it(admin, emu, make_account):
    make_account("Primary", password="wrong-secret")
    make_account("Backup", "Twilio")
    store = _store(admin, "Primary", ["Backup"])
    admin.test_connection("Primary")
    assert [c.account for c in admin.route_preview(store, UK)] == ["Backup", "Primary"]
    admin.modify_account("Primary", password=emu.account_settings("Nexmo")["password"])
    admin.test_connection("Primary")
    assert [c.account for c in admin.route_preview(store, UK)] == ["Primary", "Backup"]


def test_bad_input_is_refused_naming_the_field(admin, emu, make_account, sends):
    make_account("A")
    store = _store(admin, "A")
    for phone in ("12", "not a number"):
        with pytest.raises(InvalidInput) as err:
            admin.send_code(store, phone)
        assert err.value.field == "phone"
    with pytest.raises(InvalidInput) as err:
        admin.send_code(store, UK, code="12 34")
    assert err.value.field == "code"
    assert sends() == []


@pytest.mark.parametrize(("error", "verdict", "stage"), [
    (ConnectFailed("example.com:443 refused the connection"), "not_sent", "connect"),
    (ProxyFailed("proxy refused the credentials (407)"), "not_sent", "proxy"),
    (GatewayTimeout("Nexmo did not answer within 15 s"), "unknown", "send"),
    (GatewayError("the connection to Nexmo failed: Server disconnected"), "unknown", "reply"),
    (RuntimeError("a plugin's bug"), "unknown", "send"),
    (InvalidInput("password", "is required"), "not_sent", "settings"),
])
def test_classify_exceptions(error, verdict, stage):
    assert classify(error=error)[:2] == (verdict, stage)


@pytest.mark.parametrize(("result", "verdict"), [
    (SendResult(success=True, provider="Twilio", message_id="SM1"), "sent"),
    (SendResult(success=False, provider="Nexmo", error_code="4", error_text="Bad Credentials"), "not_sent"),
    (SendResult(success=False, provider="Bulletin.net", error_code="500", error_text="server error"), "unknown"),
    (SendResult(success=False, provider="Twilio", error_text="Twilio sent an unreadable reply"), "unknown"),
])
def test_classify_results(result, verdict):
    assert classify(result=result)[0] == verdict


def test_a_foreign_key_clash_while_logging_is_tried_again_so_the_send_is_logged(admin, emu, make_account, monkeypatch):
    """PostgreSQL: a store deleted between the log insert's read and its foreign key check fails the insert
    once; the next try sees it gone. Simulated here by failing the first write transaction."""
    import sqlalchemy as sa

    from smsgw_kit.db import Database

    make_account("Nexmo A")
    store = _store(admin, "Nexmo A")
    real, failures = Database.writing, []

    def writing_failing_once(self, **options):
        if not failures:
            failures.append(1)
            raise sa.exc.IntegrityError("INSERT INTO delivery_attempt", {}, Exception("foreign key violation"))
        return real(self, **options)

    monkeypatch.setattr(Database, "writing", writing_failing_once)
    report = admin.send_code(store, UK)
    assert failures and report.sent
    assert list(admin.deliveries_frame()["send_id"]) == [report.send_id]


def test_a_store_or_account_deleted_while_sending_keeps_the_log(admin, emu, make_account):
    from smsgw_kit import routing

    make_account("Gone", "Twilio")
    admin.create_identity_store(name="Temp")
    admin.link("Temp", "Gone")
    with admin.db.reading() as conn:
        job = routing.prepare(conn, admin._ctx, "Temp", UK, None)
    report = routing.send(job)
    admin.delete_identity_store("Temp")
    admin.delete_account("Gone")
    from smsgw_kit import deliveries

    assert deliveries.record(admin.db, report, store_id=job.store_id, actor="tester",
                             backlog=deliveries.Backlog()) is None
    [row] = admin.deliveries_frame().itertuples()
    assert (row.store_name, row.account_name, row.outcome) == ("Temp", "Gone", "sent")


def test_sends_from_many_threads_at_once_are_each_logged_once(admin, emu, make_account, dead):
    """Each log write is its own short transaction (one statement when one account was tried): writers
    queue on the database's lock, none is lost or doubled, failovers keep both attempts together."""
    from concurrent.futures import ThreadPoolExecutor

    make_account("Nexmo A")
    make_account("Down", gateway_url=dead.url_for("Nexmo"))
    direct = _store(admin, "Nexmo A", name="Direct")
    failover = _store(admin, "Down", ["Nexmo A"], name="Failover")
    admin.set_routing_settings(cooldown_seconds=0)  # the dead primary stays first
    stores = [direct, failover] * 12
    with ThreadPoolExecutor(max_workers=8) as pool:
        reports = list(pool.map(lambda store: admin.send_code(store, UK), stores))
    assert all(r.sent for r in reports)
    log = admin.deliveries_frame(limit=100)
    assert sorted(log.send_id.unique()) == sorted(r.send_id for r in reports)
    attempts = log.groupby("send_id").attempt.apply(sorted).to_dict()
    assert all(attempts[r.send_id] == ([1] if r.store == "Direct" else [1, 2]) for r in reports)
