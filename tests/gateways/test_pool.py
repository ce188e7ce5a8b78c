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


def _cookie_server():
    """A loopback server that sets a cookie on /set and answers /echo with the Cookie header it got."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = (self.headers.get("Cookie") or "").encode()
            self.send_response(200)
            if self.path == "/set":
                self.send_header("Set-Cookie", "session=account-a; Path=/")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_shared_client_carries_no_cookie_from_one_account_to_the_next():
    server = _cookie_server()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with http.ClientPool() as pool:
            first = pool.client(GatewaySettings(gateway_url=url + "/a", user_name="a"))
            assert first.get(url + "/set").status_code == 200
            second = pool.client(GatewaySettings(gateway_url=url + "/b", user_name="b"))
            assert second is first  # the same pooled client serves the next account
            assert second.get(url + "/echo").text == ""
    finally:
        server.shutdown()
        server.server_close()


def test_threads_asking_for_a_new_tls_context_at_once_load_it_once():
    import certifi

    http._context.cache_clear()
    bundle = certifi.where()  # about 150 certificates: long enough a load for the threads to overlap
    gate, contexts = threading.Barrier(16), []

    def ask():
        gate.wait(10)
        contexts.append(http.tls_context(bundle))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(contexts) == 16 and len({id(c) for c in contexts}) == 1
    assert http._context.cache_info().misses == 1


def test_a_secret_in_use_is_not_forgotten_when_many_others_arrive(monkeypatch):
    from collections import OrderedDict

    from smsgw_kit import logredact

    monkeypatch.setattr(logredact, "_secrets", OrderedDict())
    monkeypatch.setattr(logredact, "_MAX", 8)
    in_use = "in-use-secret-1"
    logredact.remember([in_use])
    for i in range(40):  # other accounts come and go; the client of the first still sends now and then
        logredact.remember([in_use], install_filter=False)
        logredact.remember([f"other-secret-{i}"])
        assert in_use in logredact._secrets, f"forgotten after {i + 1} others"
    assert len(logredact._secrets) <= 8
    assert "other-secret-0" not in logredact._secrets  # the ones no longer used are forgotten first


def test_a_batch_starts_the_longest_tests_first_and_reports_in_the_callers_order(emu):
    # Without a phone: Nexmo checks its credentials (2 requests), RedOxygen cannot without sending (1).
    # One thread, so the order the tests finish in is the order they started in.
    types = ["RedOxygen", "Nexmo", "RedOxygen", "Nexmo", "RedOxygen"]
    jobs = [(i, t, emu.gateway_settings(t)) for i, t in enumerate(types)]
    finished = []
    reports = run_connection_tests(jobs, None, concurrency=1, on_progress=lambda n, total, key, r: finished.append(key))
    assert [types[k] for k in finished] == ["Nexmo", "Nexmo", "RedOxygen", "RedOxygen", "RedOxygen"]
    assert finished == [1, 3, 0, 2, 4]  # ties keep the caller's order
    assert list(reports) == [0, 1, 2, 3, 4] and all(r.outcome != "failed" for r in reports.values())


def test_the_round_trips_a_test_makes_count_its_proxy_its_credentials_check_and_its_message():
    from smsgw_kit.diagnostics import _round_trips

    plain = GatewaySettings(gateway_url="https://a.example/x")
    proxied = plain.replace(proxy=ProxySettings(host="proxy", port=3128))
    assert _round_trips("RedOxygen", plain, None) == 1
    assert _round_trips("Nexmo", plain, None) == 2
    assert _round_trips("Nexmo", proxied, PHONE) == 4
    assert _round_trips("No Such Gateway", plain, PHONE) == 0  # fails at once, without traffic


def test_a_batch_pauses_the_cycle_collector_collects_the_young_every_hundred_tests_and_gives_it_back(emu, monkeypatch):
    import gc

    from smsgw_kit import diagnostics

    monkeypatch.setattr(diagnostics, "COLLECT_EVERY", 2)
    enabled, young = [], []

    def seen(phase, info):
        if phase == "start" and info["generation"] == 1:
            young.append(info)

    jobs = [(i, "Nexmo", emu.gateway_settings("Nexmo")) for i in range(5)]
    gc.callbacks.append(seen)
    try:
        assert gc.isenabled()
        run_connection_tests(jobs, None, concurrency=2, on_progress=lambda *a: enabled.append(gc.isenabled()))
    finally:
        gc.callbacks.remove(seen)
    assert enabled == [False] * 5 and gc.isenabled()
    assert len(young) == 2  # after the 2nd and the 4th finished test
