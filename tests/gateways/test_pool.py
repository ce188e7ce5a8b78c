"""Bulk Test Connection shares httpx clients per (proxy, CA bundle, timeouts) and closes them at the end."""

import threading

import httpx
import pytest

from smsgw_kit.diagnostics import run_connection_tests
from smsgw_kit.gateways import GatewaySettings, ProxySettings, http

PHONE = "+447079692712"


def test_one_client_per_key_and_thread():
    base = GatewaySettings(gateway_url="https://a.example/x")
    with http.ClientPool() as pool:
        first = pool.client(base)
        assert pool.client(base.replace(gateway_url="https://b.example/y", password="other")) is first
        assert pool.client(base.replace(read_timeout=3.0)) is not first
        proxied = base.replace(proxy=ProxySettings(host="proxy", port=3128, user_name="u", password="p"))
        assert pool.client(proxied) is not first
        assert pool.client(proxied.replace(proxy=ProxySettings(host="proxy", port=3128, user_name="u",
                                                               password="q"))) is not pool.client(proxied)
        other = []
        thread = threading.Thread(target=lambda: other.append(pool.client(base)))
        thread.start()
        thread.join()
        assert other[0] is not first
        clients = list(pool._all)
    assert len(clients) == 5 and all(c.is_closed for c in clients)
    with pytest.raises(RuntimeError, match="closed"):
        pool.client(base)


def test_a_shared_pool_keys_on_retries_remembers_each_accounts_secrets_and_clears():
    from smsgw_kit import logredact

    base = GatewaySettings(gateway_url="https://a.example/x", password="first-secret")
    with http.ClientPool(per_thread=False) as pool:
        first = pool.client(base)
        other = []
        thread = threading.Thread(target=lambda: other.append(pool.client(base)))
        thread.start()
        thread.join()
        assert other[0] is first  # one client for every thread
        assert pool.client(base.replace(connect_retries=0)) is not first
        assert pool.client(base.replace(password="second-secret")) is first
        assert "second-secret" in logredact._known()  # httpx may log it through the reused client
        reply = httpx.Response(200, headers={"Set-Cookie": "session=of-the-first-account; Path=/"},
                               request=httpx.Request("POST", "https://a.example/x"))
        first.cookies.extract_cookies(reply)
        assert not first.cookies  # nothing one account's reply set goes with another account's request
        pool.clear()
        assert first.is_closed
        again = pool.client(base)
        assert again is not first and not again.is_closed
    assert again.is_closed


def test_a_batch_reuses_clients_and_closes_them(emu, monkeypatch):
    built = []
    real = http.build_client

    def counting(settings):
        client = real(settings)
        built.append(client)
        return client

    monkeypatch.setattr(http, "build_client", counting)
    jobs = [(i, provider, emu.gateway_settings(provider)) for i, provider in
            enumerate(["Nexmo", "Twilio", "Clickatell", "Bulletin.net"] * 6)]
    reports = run_connection_tests(jobs, PHONE, concurrency=4)
    assert all(r.outcome == "passed" for r in reports.values()), [r.summary for r in reports.values()]
    # 24 accounts, one (CA bundle, timeouts) key, 4 worker threads: at most 4 clients, not 24.
    assert 1 <= len(built) <= 4
    assert all(c.is_closed for c in built)


def test_a_pooled_gateway_does_not_close_the_shared_client(emu):
    from smsgw_kit.gateways import NexmoGateway, ShortMessage

    message = ShortMessage(message="Code [Code]", access_code="1", recipients=PHONE)
    with http.ClientPool() as pool:
        for _ in range(2):
            with NexmoGateway(emu.gateway_settings("Nexmo")) as gateway:
                gateway.pool = pool
                assert gateway.send(message).success
        (client,) = pool._all
        assert not client.is_closed
    assert client.is_closed
