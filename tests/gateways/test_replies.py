"""Replies read strictly: a 5xx or garbled reply is no proof of reachability, a malformed 200 to a send is
reported as "may have been sent", and a status without the provider's own fields says what it means."""

import pytest

from smsgw_kit.diagnostics import run_connection_test
from smsgw_kit.gateways import ShortMessage, get_gateway_type
from smsgw_kit.gateways.replies import status_meaning
from smsgw_kit.testing.emulator import provider_name

PHONE = "+447079692712"
PROVIDERS = ["Nexmo", "Twilio", "Bulletin.net", "Clickatell", "RedOxygen", "Generic HTTP"]


def gateway(emu, provider, **changes):
    return get_gateway_type(provider_name(provider))(emu.gateway_settings(provider, **changes))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_5xx_to_the_reachability_request_is_not_reachable(emu, provider):
    emu.inject(status=503, count=1)  # the emulator's "/" belongs to no provider: fault every request
    check = gateway(emu, provider).test_connection()
    assert check.outcome == "failed"
    assert check.reason.endswith("answered HTTP 503 (a failure at the provider (or a gateway in front of it))")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_malformed_reply_to_the_reachability_request_is_not_reachable(emu, provider):
    emu.inject(malformed=True, count=1)
    check = gateway(emu, provider).test_connection()
    assert check.outcome == "failed" and "malformed reply" in check.reason


def test_a_404_for_the_origin_still_proves_the_path(emu):
    emu.inject(status=404, count=1)
    assert gateway(emu, "Nexmo").test_connection().passed


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_malformed_200_to_a_send_may_have_been_sent(emu, provider):
    emu.inject(provider, malformed=True, sends_only=True, count=1)
    result = gateway(emu, provider).send(ShortMessage(message="Code [Code]", access_code="1", recipients=PHONE))
    assert not result.success and result.uncertain, result
    assert result.error.endswith("the message may have been sent, check before sending again")


def test_test_connection_reports_the_unknown_outcome(emu):
    emu.inject("Bulletin.net", malformed=True, sends_only=True, count=1)
    report = run_connection_test("Bulletin.net", emu.gateway_settings("Bulletin.net"), PHONE)
    assert report.outcome == "failed" and report.stage("message").outcome == "failed"
    assert "may have been sent" in report.stage("message").reason


@pytest.mark.parametrize(("status", "meaning"), [
    (401, "the credentials were refused"), (403, "the credentials were refused"),
    (404, "nothing at that address: check the gateway URL and the account ID"),
    (429, "rate limited: too many requests, try again later"),
    (500, "a failure at the provider (or a gateway in front of it)"),
    (503, "a failure at the provider (or a gateway in front of it)"),
])
@pytest.mark.parametrize("provider", ["Nexmo", "Twilio", "Clickatell"])
def test_a_bare_status_says_what_it_means_and_keeps_the_text(emu, provider, status, meaning):
    assert status_meaning(status) == meaning
    emu.inject(provider, status=status, count=1)
    check = gateway(emu, provider).test_credentials()
    assert check.reason == f"{provider} answered HTTP {status} ({meaning}): emulated failure {status}"
    emu.inject(provider, status=status, sends_only=True, count=1)
    result = gateway(emu, provider).send(ShortMessage(message="Code [Code]", access_code="1", recipients=PHONE))
    assert result.error == f"{provider} answered HTTP {status} ({meaning}): emulated failure {status}"
    assert "says: error" not in result.error and not result.uncertain
