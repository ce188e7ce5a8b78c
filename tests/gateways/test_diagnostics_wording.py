"""Test Connection names the stage that failed in the operator's words, and never calls an unknown outcome a success."""

import socket
import threading

import pytest

from smsgw_kit.diagnostics import run_connection_test
from smsgw_kit.gateways import (
    Gateway,
    GatewayInfo,
    GatewaySettings,
    ProxySettings,
    SendResult,
    field_specs,
    register_gateway,
    unregister_gateway,
)

PHONE = "447079692712"


@pytest.fixture
def silent_proxy():
    """A TCP server that accepts connections and never says a word, like a proxy that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_silent_proxy_is_the_proxy_stage_failing_not_the_provider(emu, silent_proxy):
    settings = emu.gateway_settings("Nexmo", proxy=ProxySettings(host="127.0.0.1", port=silent_proxy), read_timeout=0.5)
    report = run_connection_test("Nexmo", settings, PHONE)
    assert report.outcome == "failed"
    assert [(s.name, s.outcome) for s in report.stages][:2] == [("proxy", "failed"), ("connection", "skipped")]
    assert "did not answer within 0.5 s" in report.stage("proxy").reason
    assert f"the proxy http://127.0.0.1:{silent_proxy}" in report.summary and "Nexmo was not reached" in report.summary
    assert "Nexmo did not answer" not in report.summary
    assert not emu.requests_for("Nexmo")


def test_a_working_proxy_still_passes_for_http_and_https_providers(emu, proxy):
    for https in (False, True):
        report = run_connection_test("Nexmo", emu.gateway_settings("Nexmo", https=https, proxy=proxy.settings()), PHONE)
        assert report.outcome == "passed", report.summary


def test_a_provider_answering_500_to_the_reachability_request_is_not_reachable(emu):
    emu.inject(status=500, count=1)  # the first request of the run is the reachability check
    report = run_connection_test("Nexmo", emu.gateway_settings("Nexmo"), None)
    assert report.stage("connection").outcome == "failed"
    assert "answered HTTP 500" in report.summary and "a failure at the provider" in report.summary


def test_a_send_that_timed_out_after_the_request_went_out_may_have_been_sent(emu):
    emu.inject("RedOxygen", latency=2.0)  # RedOxygen has no credentials check: only the send is slow
    report = run_connection_test("RedOxygen", emu.gateway_settings("RedOxygen", read_timeout=0.5), PHONE)
    assert report.outcome == "failed" and report.stage("message").outcome == "failed"
    assert "may have been sent" in report.summary
    assert emu.requests_for("RedOxygen"), "the request did reach the provider"


class _UnreadableReply(Gateway):
    """A custom gateway that expects JSON from its send; the emulator's front page answers plain text."""

    info = GatewayInfo(name="Unreadable Reply", description="cannot read its provider's reply to a send",
                       default_url="http://127.0.0.1:9/", fields=field_specs(required=("gateway_url",)))

    def deliver(self, message, phone):
        response = self.request("GET", self.url, sending=True)
        try:
            return self.sent(message, response.json()["id"])
        except ValueError:
            return SendResult(success=False, provider=self.info.name, message=message, uncertain=True,
                              error_text=f"the reply to the send could not be read (HTTP {response.status_code})")


def test_an_unreadable_reply_to_a_send_is_never_success_and_may_have_been_sent(emu):
    register_gateway(_UnreadableReply)
    try:
        report = run_connection_test("Unreadable Reply", GatewaySettings(gateway_url=emu.base_url + "/"), PHONE)
    finally:
        unregister_gateway("Unreadable Reply")
    assert report.outcome == "failed" and report.stage("message").outcome == "failed"
    assert report.summary == ("Test Connection failed at the message stage: the reply to the send could not be "
                              "read (HTTP 200); the test message may have been sent to +447079692712: check that "
                              "phone before testing again.")
