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


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def paired(baseline, subject, runs: int) -> tuple[float, float, float]:
    """Median ms of each and the median of the per-run ratios, the two alternating run by run so a
    busy machine slows both alike."""
    baseline(), subject()  # warm-up: imports, first connection, caches
    pairs = [(_timed(baseline), _timed(subject)) for _ in range(runs)]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(b / a for a, b in pairs))


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

        def send(store: str):
            return lambda: admin.send_code(store, PHONE, code="123456")

        def measure(runs: int) -> dict[str, tuple[float, float, float]]:
            return {
                "send_code vs bare POST": paired(bare_post, send("Direct"), runs),
                "failover vs refused connect + bare POST": paired(lambda: (refused_connect(dead), bare_post()),
                                                                  send("Failover"), runs),
            }

        results = measure(args.runs)
        reference = {
            "send_code vs httpx.post (loads CA certs)": paired(lambda: httpx.post(url, data=data), send("Direct"),
                                                               max(10, args.runs // 10)),
            "send_code vs warm-client POST": paired(lambda: warm.post(url, data=data), send("Direct"), args.runs),
        }
        emu.inject("Nexmo", latency=args.latency)
        slow = measure(max(10, args.runs // 5))
        emu.clear()
        warm.close()
        report = admin.send_code("Failover", PHONE, code="123456")
        assert report.sent and [a.outcome for a in report.attempts] == ["not_sent", "sent"], report.summary
        db.dispose()
    print(f"send_code benchmark ({db.dialect}): median ms of baseline and send_code, measured alternately, "
          "and the median ratio (target ≤ 1.5x)")
    groups = (("loopback", results), (f"{args.latency * 1000:.0f} ms provider latency", slow),
              ("loopback, for reference", reference))
    for label, found in groups:
        print(f"  {label}")
        for name, (base, subject, ratio) in found.items():
            print(f"    {name:44s} {base:8.2f} {subject:8.2f}  {ratio:5.2f}x")

if __name__ == "__main__":
    main()
