import dataclasses
import json
import threading
import time

import pytest

from smsgw_kit.diagnostics import (
    ConnectionReport,
    run_connection_test,
    run_connection_tests,
)
from smsgw_kit.errors import InvalidInput, UnknownGatewayType

PHONE = "447079692712"


def outcomes(report):
    return [(s.name, s.outcome) for s in report.stages]


def test_all_stages_pass_in_order_with_a_message_id(emu):
    report = run_connection_test("Nexmo", emu.gateway_settings("Nexmo"), PHONE)
    assert outcomes(report) == [("proxy", "skipped"), ("connection", "passed"), ("credentials", "passed"),
                                ("message", "passed")]
    assert report.outcome == "passed" and report.message_id
    assert report.summary == f"Nexmo works: Nexmo accepted the test message to +{PHONE} (message id {report.message_id})."
    assert all(s.duration_ms >= 0 for s in report.stages) and report.duration_ms > 0
    sent = emu.requests_for("Nexmo")[-1]
    assert sent.form["to"] == PHONE and "123456" in sent.form["text"]


def test_custom_message_text(emu):
    run_connection_test("Twilio", emu.gateway_settings("Twilio"), PHONE, message="Hello from the runbook [Code]")
    assert emu.requests_for("Twilio")[-1].form["Body"] == "Hello from the runbook 123456"


def test_without_phone_the_message_stage_is_skipped(emu):
    report = run_connection_test("Nexmo", emu.gateway_settings("Nexmo"), None)
    assert report.stage("message").outcome == "skipped"
    assert report.outcome == "passed" and report.message_id is None
    assert not [r for r in emu.requests if r.path == "/sms/json"]


def test_credentials_unsupported_without_phone_is_unsupported(emu):
    report = run_connection_test("RedOxygen", emu.gateway_settings("RedOxygen"), None)
    assert report.stage("credentials").outcome == "unsupported"
    assert report.outcome == "unsupported" and "cannot be checked without sending" in report.summary


def test_credentials_unsupported_but_message_sent_passes(emu):
    report = run_connection_test("RedOxygen", emu.gateway_settings("RedOxygen"), PHONE)
    assert report.outcome == "passed"


def test_failure_stops_the_later_stages_with_the_providers_words(emu):
    report = run_connection_test("Twilio", emu.gateway_settings("Twilio", password="wrong-token-1"), PHONE)
    assert outcomes(report)[1:] == [("connection", "passed"), ("credentials", "failed"), ("message", "skipped")]
    assert report.summary == ("Test Connection failed at the credentials stage: "
                              "Twilio says: Authenticate (status 20003).")
    assert "wrong-token-1" not in json.dumps(report.to_dict())


def test_message_stage_reports_the_provider_error(emu):
    emu.inject("Nexmo", error="9", count=1)
    report = run_connection_test("Nexmo", emu.gateway_settings("Nexmo"), PHONE)
    assert report.stage("message").reason == "Nexmo says: partner quota exceeded (no credit) (status 9)"
    assert report.outcome == "failed"


def test_proxy_stage_failure_in_operator_words(emu, proxy):
    report = run_connection_test("Nexmo", emu.gateway_settings("Nexmo", proxy=proxy.settings(password="bad-proxy-pw")),
                                 PHONE)
    assert outcomes(report) == [("proxy", "failed"), ("connection", "skipped"), ("credentials", "skipped"),
                                ("message", "skipped")]
    assert "refused the proxy user name 'proxyuser' and its password (HTTP 407)" in report.summary
    assert "bad-proxy-pw" not in json.dumps(report.to_dict())
    assert emu.requests_for("Nexmo") == []


def test_proxy_stage_passes_through_the_proxy(emu, proxy):
    report = run_connection_test("Twilio", emu.gateway_settings("Twilio", https=True, proxy=proxy.settings()), PHONE)
    assert report.outcome == "passed", report.summary
    assert report.stage("proxy").outcome == "passed"


@pytest.mark.parametrize("phone", ["12", "not a number", ""])
def test_invalid_phone_is_refused_before_any_traffic(emu, phone):
    with pytest.raises(InvalidInput) as caught:
        run_connection_test("Nexmo", emu.gateway_settings("Nexmo"), phone)
    assert caught.value.field == "phone"
    assert emu.requests == []


def test_missing_required_field_is_refused_before_any_traffic(emu):
    with pytest.raises(InvalidInput) as caught:
        run_connection_test("RedOxygen", emu.gateway_settings("RedOxygen", account_id=" "), PHONE)
    assert caught.value.field == "account_id"
    assert emu.requests == []


@pytest.mark.parametrize("url", ["rest.nexmo.com/sms/json", "ftp://rest.nexmo.com/sms/json", "https:///sms"])
def test_gateway_url_that_is_no_web_address_is_refused_before_any_traffic(emu, url):
    with pytest.raises(InvalidInput) as caught:
        run_connection_test("Nexmo", emu.gateway_settings("Nexmo", gateway_url=url), PHONE)
    assert caught.value.field == "gateway_url" and "http" in caught.value.allowed
    assert emu.requests == []


def test_unknown_type_suggests_the_near_miss(emu):
    with pytest.raises(UnknownGatewayType, match="Did you mean 'Nexmo'"):
        run_connection_test("Nexmoo", emu.gateway_settings("Nexmo"), PHONE)


def test_report_round_trips_through_json(emu):
    report = run_connection_test("Clickatell", emu.gateway_settings("Clickatell"), PHONE)
    data = json.loads(json.dumps(report.to_dict()))
    assert ConnectionReport.from_dict(data) == report
    assert "emu-pass" not in json.dumps(data)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.outcome = "failed"


def test_many_accounts_run_concurrently_with_progress(emu):
    emu.inject(latency=0.1)
    jobs = [(i, "Nexmo", emu.gateway_settings("Nexmo")) for i in range(24)]
    jobs.append(("bad", "Nexmo", emu.gateway_settings("Nexmo", password="wrong-secret-2")))
    jobs.append(("broken", "No such type", emu.gateway_settings("Nexmo")))
    progress, lock = [], threading.Lock()

    def on_progress(done, total, key, report):
        with lock:
            progress.append((done, total, key, report.outcome))

    start = time.perf_counter()
    reports = run_connection_tests(jobs, PHONE, concurrency=13, on_progress=on_progress)
    wall = time.perf_counter() - start
    assert list(reports) == [key for key, _, _ in jobs]
    assert sum(r.outcome == "passed" for r in reports.values()) == 24
    assert reports["bad"].outcome == "failed" and "authentication failed" in reports["bad"].summary
    assert reports["broken"].outcome == "failed" and "could not start" in reports["broken"].summary
    assert sorted(p[0] for p in progress) == list(range(1, 27)) and {p[1] for p in progress} == {26}
    sequential = sum(r.duration_ms for r in reports.values()) / 1000
    assert sequential > 24 * 0.3  # three requests, 100 ms each
    assert wall < sequential / 4


def test_many_refuses_an_invalid_phone_first(emu):
    with pytest.raises(InvalidInput):
        run_connection_tests([(1, "Nexmo", emu.gateway_settings("Nexmo"))], "12")
    assert emu.requests == []
