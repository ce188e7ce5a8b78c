"""Proxy, TLS, timeouts and faults, over real loopback sockets (a real proxy.py, a trustme CA)."""

import re
import time

import pytest

from smsgw_kit.errors import InvalidInput
from smsgw_kit.gateways import NexmoGateway, ProxySettings, ShortMessage
from smsgw_kit.gateways.http import build_client, proxy_address

MESSAGE = ShortMessage(message="Code [Code]", access_code="9", recipients="447079692712")


@pytest.mark.parametrize("https", [False, True])
def test_traffic_goes_through_the_authenticating_proxy(emu, proxy, https):
    settings = emu.gateway_settings("Nexmo", https=https, proxy=proxy.settings())
    with NexmoGateway(settings) as gateway:
        assert gateway.test_proxy().passed
        result = gateway.send(MESSAGE)
    assert result.success
    port = re.search(r":(\d+)/", settings.gateway_url).group(1)
    # proxy.py logs one line per client connection: the CONNECT, or the first request forwarded.
    assert proxy.logged(f"CONNECT 127.0.0.1:{port}" if https else f" 127.0.0.1:{port}/")


@pytest.mark.parametrize("https", [False, True])
def test_wrong_proxy_password_is_the_proxy_stage_failure(emu, proxy, https):
    settings = emu.gateway_settings("Nexmo", https=https, proxy=proxy.settings(password="wrong-password"))
    with NexmoGateway(settings) as gateway:
        check = gateway.test_proxy()
        result = gateway.send(MESSAGE)
    assert check.outcome == "failed"
    said = f"proxy http://127.0.0.1:{proxy.port} refused the proxy user name 'proxyuser' and its password (HTTP 407)"
    assert check.reason == said
    assert result.error == said and not result.uncertain
    assert "wrong-password" not in check.reason + result.error
    assert emu.requests_for("Nexmo") == []


def test_unreachable_proxy(emu, unused_port):
    settings = emu.gateway_settings("Nexmo", proxy=ProxySettings(host="127.0.0.1", port=unused_port))
    check = NexmoGateway(settings).test_proxy()
    assert check.outcome == "failed" and "is unreachable" in check.reason


@pytest.mark.parametrize(("host", "domain", "address"), [
    ("proxy", "corp.example", "proxy.corp.example"),        # a bare host name completed with the domain
    ("proxy.other.example", "corp.example", "proxy.other.example"),  # already complete
    ("", "corp.example", "corp.example"),                   # the domain alone
    ("10.0.0.7", "corp.example", "10.0.0.7"),               # an IP address is complete
    ("proxy", "10.0.0.8", "10.0.0.8"),                      # the seed: the domain may be the proxy's IP address
    ("proxy", "", "proxy"),
    ("", "", ""),
])
def test_proxy_address_follows_the_seed(host, domain, address):
    assert proxy_address(host, domain) == address


def test_proxy_domain_completes_the_host_name_and_the_user_name_is_sent_as_is(emu, proxy):
    # The bare name "127" completed with the domain "0.0.1" is 127.0.0.1, where proxy.py listens: it is
    # reached only if the domain went into the address. It accepts only the bare user name (no DOMAIN\user).
    settings = emu.gateway_settings("Nexmo", proxy=ProxySettings(
        host="127", port=proxy.port, user_name="proxyuser", password=proxy.settings().password, domain="0.0.1"))
    with NexmoGateway(settings) as gateway:
        check = gateway.test_proxy()
        assert check.passed, check.reason
        assert f"proxy http://127.0.0.1:{proxy.port}" in check.reason
        assert gateway.send(MESSAGE).success


def test_proxy_domain_alone_is_the_proxy_address(emu, proxy):
    settings = emu.gateway_settings("Nexmo", proxy=ProxySettings(
        host="", port=proxy.port, user_name="proxyuser", password=proxy.settings().password, domain="127.0.0.1"))
    with NexmoGateway(settings) as gateway:
        assert gateway.test_proxy().passed
        assert gateway.send(MESSAGE).success


def test_407_without_a_user_name_asks_for_one(emu, proxy):
    settings = emu.gateway_settings("Nexmo", proxy=ProxySettings(host="127.0.0.1", port=proxy.port))
    check = NexmoGateway(settings).test_proxy()
    assert check.outcome == "failed" and "asks for credentials (HTTP 407)" in check.reason


def test_no_proxy_passes_with_reason(emu):
    check = NexmoGateway(emu.gateway_settings("Nexmo")).test_proxy()
    assert check.passed and "no proxy" in check.reason


def test_unknown_ca_is_refused(emu):
    settings = emu.gateway_settings("Nexmo", https=True, ca_bundle=None)
    with NexmoGateway(settings) as gateway:
        connection = gateway.test_connection()
        result = gateway.send(MESSAGE)
    assert connection.outcome == "failed"
    assert "certificate is not trusted" in connection.reason
    assert not result.success and "TLS" in result.error
    assert emu.requests_for("Nexmo") == []


def test_ca_bundle_is_trusted(emu):
    settings = emu.gateway_settings("Nexmo", https=True)
    assert settings.ca_bundle == emu.ca_bundle_path
    with NexmoGateway(settings) as gateway:
        check = gateway.test_connection()
    assert check.passed and "DNS, TCP and TLS" in check.reason
    assert emu.requests[-1].scheme == "https"


def test_missing_ca_bundle_file_names_the_field():
    from smsgw_kit.gateways import GatewaySettings

    with pytest.raises(InvalidInput) as caught:
        build_client(GatewaySettings(ca_bundle="/no/such/ca.pem"))
    assert caught.value.field == "ca_bundle"


def test_read_timeout_is_not_retried_and_says_the_message_may_be_out(emu):
    emu.inject("Nexmo", timeout=True)
    settings = emu.gateway_settings("Nexmo", read_timeout=0.3)
    start = time.perf_counter()
    result = NexmoGateway(settings).send(MESSAGE)
    assert time.perf_counter() - start < 2
    assert not result.success
    assert "did not answer within 0.3 s" in result.error and "may have been sent" in result.error
    assert result.uncertain
    assert len(emu.requests_for("Nexmo")) == 1


def test_connection_refused_is_clear(emu, unused_port):
    settings = emu.gateway_settings("Nexmo", gateway_url=f"http://127.0.0.1:{unused_port}/sms/json")
    check = NexmoGateway(settings).test_connection()
    assert check.outcome == "failed" and "refused the connection" in check.reason


def test_dns_failure_is_clear(emu):
    settings = emu.gateway_settings("Nexmo", gateway_url="http://no-such-host.invalid/sms/json")
    check = NexmoGateway(settings).test_connection()
    assert check.outcome == "failed" and check.reason.startswith("DNS lookup for no-such-host.invalid failed")


def test_5xx_is_a_provider_failure_and_a_malformed_200_may_have_been_sent(emu):
    emu.inject("Nexmo", status=503, count=1)
    result = NexmoGateway(emu.gateway_settings("Nexmo")).send(MESSAGE)
    assert not result.success and not result.uncertain
    assert result.error.startswith("Nexmo answered HTTP 503 (a failure at the provider")
    emu.inject("Twilio", malformed=True, count=1)
    from smsgw_kit.gateways import TwilioGateway

    result = TwilioGateway(emu.gateway_settings("Twilio")).send(MESSAGE)
    assert not result.success and result.uncertain
    assert "without a message SID" in result.error and "may have been sent" in result.error


def test_latency_is_injected(emu):
    emu.inject(latency=0.2, count=1)
    start = time.perf_counter()
    assert NexmoGateway(emu.gateway_settings("Nexmo")).send(MESSAGE).success
    assert time.perf_counter() - start >= 0.2


def test_environment_proxies_are_ignored(emu, monkeypatch, unused_port):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{unused_port}")
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{unused_port}")
    assert NexmoGateway(emu.gateway_settings("Nexmo")).send(MESSAGE).success


def test_reprs_and_errors_hide_secrets(emu, unused_port):
    settings = emu.gateway_settings("Nexmo", proxy=ProxySettings(
        host="127.0.0.1", port=unused_port, user_name="u", password="proxy-secret-9"))
    gateway = NexmoGateway(settings)
    assert "emusecret123" not in repr(gateway) and "proxy-secret-9" not in repr(gateway)
    result = gateway.send(MESSAGE)
    assert "emusecret123" not in result.error and "proxy-secret-9" not in result.error
