"""Benchmark send_code against the emulator next to the bare HTTP it needs.

    python benchmarks/bench_send_code.py [--runs 200] [--url URL]

1. send_code (store → route → Nexmo account → POST → delivery log) next to one bare httpx POST of the
   same request to the same endpoint on a fresh `httpx.Client` sharing one TLS context (what a send
   needs: a new connection, no certificate loading). Target: median within 1.5×. For reference:
   `httpx.post(...)` (which also loads the CA certificates each call) and a POST on a warm client
   (connection already open).
2. Failover: the store's primary refuses connections, the fallback sends. Baseline: one refused
   connect plus the same bare POST. Target: within 1.5×.
3. Both again with the emulator answering after 50 ms, as a provider across the internet does
   (`--latency`), where what send_code adds (reading the route, writing the delivery log) is a
   fixed few milliseconds next to the round trip.
Without --url it runs on a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import socket
import ssl
import statistics
import tempfile
import time

import certifi
import httpx
from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.testing import ProviderEmulator, RefusingPort

PHONE = "447079692712"


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up: imports, first connection, caches
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def same_request(emu: ProviderEmulator, text: str) -> tuple[str, dict[str, str]]:
    fields = emu.account_settings("Nexmo")
    return fields["gateway_url"], {"api_key": fields["user_name"], "api_secret": fields["password"],
                                   "from": fields["sender_id"], "to": PHONE, "text": text, "type": "text"}


def refused_connect(port: RefusingPort) -> None:
    try:
        socket.create_connection((port.host, port.port), timeout=2).close()
    except ConnectionRefusedError:
        return
    raise RuntimeError("the refusing port accepted a connection")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--url", default=None)
    parser.add_argument("--latency", type=float, default=0.05, help="provider latency of the second round (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ProviderEmulator() as emu, RefusingPort() as dead:
        db = Database(args.url or f"sqlite:///{tmp}/bench.db")
        admin = GatewayAdmin(db, keyring=Keyring.from_keys(Fernet.generate_key()), actor="bench")
        settings = emu.account_settings("Nexmo")
        admin.create_account(name="Nexmo", gateway_type="Nexmo", **settings)
        admin.create_account(name="Down", gateway_type="Nexmo", **{**settings, "gateway_url": dead.url_for("Nexmo")})
        admin.create_identity_store(name="Direct")
        admin.link("Direct", "Nexmo")
        admin.create_identity_store(name="Failover")
        admin.link("Failover", "Down")
        admin.set_fallbacks("Failover", ["Nexmo"])
        admin.set_routing_settings(cooldown_seconds=0)  # keep the dead primary first on every run
        url, data = same_request(emu, "Your verification code is 123456.")

        warm, tls = httpx.Client(), ssl.create_default_context(cafile=certifi.where())

        def bare_post() -> None:
            with httpx.Client(verify=tls) as client:
                client.post(url, data=data)

        def measure(runs: int) -> dict[str, float]:
            return {
                "bare POST (fresh client)": median_ms(bare_post, runs),
                "send_code": median_ms(lambda: admin.send_code("Direct", PHONE, code="123456"), runs),
                "refused connect + bare POST": median_ms(lambda: (refused_connect(dead), bare_post()), runs),
                "send_code failover": median_ms(lambda: admin.send_code("Failover", PHONE, code="123456"), runs),
            }

        results = measure(args.runs)
        results["httpx.post (loads CA certs)"] = median_ms(lambda: httpx.post(url, data=data), max(10, args.runs // 10))
        results["warm client POST"] = median_ms(lambda: warm.post(url, data=data), args.runs)
        emu.inject("Nexmo", latency=args.latency)
        slow = measure(max(10, args.runs // 5))
        emu.clear()
        warm.close()
        report = admin.send_code("Failover", PHONE, code="123456")
        assert report.sent and [a.outcome for a in report.attempts] == ["not_sent", "sent"], report.summary
        db.dispose()
    print(f"send_code benchmark, median ms ({db.dialect}; {args.runs} runs loopback, "
          f"{max(10, args.runs // 5)} with {args.latency * 1000:.0f} ms provider latency)")
    for name, ms in results.items():
        print(f"  {name:36s} {ms:8.2f}")
    for name, ms in slow.items():
        print(f"  {name + ' +latency':36s} {ms:8.2f}")
    for label, r in (("loopback", results), (f"{args.latency * 1000:.0f} ms latency", slow)):
        direct = r["send_code"] / r["bare POST (fresh client)"]
        failover = r["send_code failover"] / r["refused connect + bare POST"]
        print(f"  [{label}] send_code / bare POST: {direct:5.2f}x; "
              f"failover / (refused connect + bare POST): {failover:5.2f}x (target ≤ 1.5x)")
    print(f"  send_code / httpx.post (reference): {results['send_code'] / results['httpx.post (loads CA certs)']:5.2f}x")

if __name__ == "__main__":
    main()
