"""Benchmark send_code against the emulator next to the bare HTTP it needs.

    python benchmarks/bench_send_code.py [--runs 200] [--url URL] [--latency 0.05] [--own-process]

What each side does:

- send_code: store → route → Nexmo account (one read statement) → POST → delivery log (one write
  transaction, committed before it returns). It keeps its connections to the provider open between
  calls (`GatewayAdmin` holds one httpx client per proxy, CA bundle, timeouts and retries), as a
  long-running service does, so the POST goes over an already open connection.
- bare POST: one httpx POST of the same request to the same endpoint on a fresh `httpx.Client`
  sharing one TLS context: a new connection per request, no certificate loading.

1. send_code next to the bare POST. Target (issue 12): median within 1.5×.
2. Failover: the store's primary refuses connections, the fallback sends. Baseline: one refused
   connect (a bare socket) plus the same bare POST. Target: within 1.5×. Then the refused connect made
   as send_code's first try makes it: the same bare POST sent to the refusing port (httpx builds the
   request, then the connect is refused), plus the bare POST.
3. Like for like: the same two with send_code's open connections closed before every call
   (`admin.close()`, timed with it), so both sides open a new connection.
4. Both targets again with the provider answering after 50 ms (`--latency`), as one across the
   internet does, where what send_code adds is a fixed fraction of a millisecond.
5. For reference: `httpx.post(...)` (which also loads the CA certificates each call), and a POST on a
   warm client (its connection kept open, as send_code's is).

The emulator runs in this process (one without, one with latency), as the issue measured; after each
timed call, untimed, the emulator's threads finish with any connection the call closed, so their
teardown (about 80 µs) is not charged to the next call, which a remote provider's never is.
`--own-process` runs the emulators in processes of their own instead (steadier CPU accounting, noisier
wall times on a small machine). Baseline and send_code alternate run by run; the ratios are medians of
the per-run ratios of wall time (the target) and of this process's CPU time. Without --url it runs on a
temporary SQLite file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator

import certifi
import httpx
from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.testing import ProviderEmulator, RefusingPort

PHONE = "447079692712"
TEXT = "Your verification code is 123456."


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU ms `fn` takes; then, untimed, the in-process emulator finishes with any connection `fn`
    closed, so that its threads' teardown is not charged to the next call measured (a remote provider's
    never is)."""
    threads = threading.active_count()
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    deadline = time.perf_counter() + 0.1
    while threading.active_count() > threads and time.perf_counter() < deadline:
        time.sleep(0)  # hand the GIL to the emulator's thread
    return wall, cpu


Result = tuple[float, float, float, float]


def paired(baseline, subject, runs: int) -> Result:
    """Median wall ms of each, the median of the per-run wall ratios and of the per-run CPU ratios, the two
    alternating run by run so a busy machine slows both alike."""
    baseline(), subject()  # warm-up: imports, first connection, caches
    pairs = [(_timed(baseline), _timed(subject)) for _ in range(runs)]
    return (statistics.median(a[0] for a, _ in pairs), statistics.median(b[0] for _, b in pairs),
            statistics.median(b[0] / a[0] for a, b in pairs),
            statistics.median(b[1] / a[1] for a, b in pairs if a[1] > 0))


@contextlib.contextmanager
def emulator(latency: float, own_process: bool) -> Iterator[dict[str, str]]:
    """The Nexmo account fields of an emulator answering after `latency` seconds."""
    if not own_process:
        with ProviderEmulator() as emu:
            if latency:
                emu.inject("Nexmo", latency=latency)
            yield emu.account_settings("Nexmo")
        return
    command = [sys.executable, "-m", "smsgw_kit.testing", "--latency", str(latency)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        fields = None
        for line in process.stdout:
            name, _, rest = line.partition(": ")
            if name == "Nexmo":
                fields = json.loads(rest)
            if line.startswith("Ctrl-C"):
                break
        if fields is None:
            raise RuntimeError("the emulator did not start")
        yield fields
    finally:
        process.terminate()
        process.wait(timeout=10)


def bare_post(fields: dict[str, str], tls: ssl.SSLContext) -> Callable[[], None]:
    data = {"api_key": fields["user_name"], "api_secret": fields["password"], "from": fields["sender_id"],
            "to": PHONE, "text": TEXT, "type": "text"}

    def post() -> None:
        with httpx.Client(verify=tls) as client:
            client.post(fields["gateway_url"], data=data)
    return post


def refused_post(fields: dict[str, str], tls: ssl.SSLContext, port: RefusingPort) -> Callable[[], None]:
    """The same bare POST sent to the refusing port (as send_code's first try is): httpx's refused connect."""
    data = {"api_key": fields["user_name"], "api_secret": fields["password"], "from": fields["sender_id"],
            "to": PHONE, "text": TEXT, "type": "text"}

    def post() -> None:
        with httpx.Client(verify=tls) as client:
            try:
                client.post(port.url_for("Nexmo"), data=data)
            except httpx.ConnectError:
                return
        raise RuntimeError("the refusing port accepted a connection")
    return post


def refused_connect(port: RefusingPort) -> None:
    try:
        socket.create_connection((port.host, port.port), timeout=2).close()
    except ConnectionRefusedError:
        return
    raise RuntimeError("the refusing port accepted a connection")


def add_stores(admin: GatewayAdmin, suffix: str, fields: dict[str, str], dead: RefusingPort) -> None:
    """Store `Direct{suffix}` linked to a working account; `Failover{suffix}` to a refusing one, then it."""
    admin.create_account(name=f"Nexmo{suffix}", gateway_type="Nexmo", **fields)
    admin.create_account(name=f"Down{suffix}", gateway_type="Nexmo", **{**fields, "gateway_url": dead.url_for("Nexmo")})
    admin.create_identity_store(name=f"Direct{suffix}")
    admin.link(f"Direct{suffix}", f"Nexmo{suffix}")
    admin.create_identity_store(name=f"Failover{suffix}")
    admin.link(f"Failover{suffix}", f"Down{suffix}")
    admin.set_fallbacks(f"Failover{suffix}", [f"Nexmo{suffix}"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--url", default=None)
    parser.add_argument("--latency", type=float, default=0.05, help="provider latency of the second round (s)")
    parser.add_argument("--own-process", action="store_true", help="run the emulators in processes of their own")
    args = parser.parse_args()
    slow_runs = max(10, args.runs // 5)
    with (tempfile.TemporaryDirectory() as tmp, RefusingPort() as dead,
          emulator(0.0, args.own_process) as fast, emulator(args.latency, args.own_process) as slow):
        db = Database(args.url or f"sqlite:///{tmp}/bench.db")
        admin = GatewayAdmin(db, keyring=Keyring.from_keys(Fernet.generate_key()), actor="bench")
        add_stores(admin, "", fast, dead)
        add_stores(admin, " slow", slow, dead)
        admin.set_routing_settings(cooldown_seconds=0)  # keep the dead primary first on every run
        tls = ssl.create_default_context(cafile=certifi.where())
        post, slow_post = bare_post(fast, tls), bare_post(slow, tls)

        def send(store: str) -> Callable[[], object]:
            return lambda: admin.send_code(store, PHONE, code="123456")

        def send_on_new_connection(store: str) -> Callable[[], object]:
            return lambda: (admin.close(), admin.send_code(store, PHONE, code="123456"))

        def failover_baseline(post: Callable[[], None]) -> Callable[[], None]:
            return lambda: (refused_connect(dead), post())

        refused = refused_post(fast, tls, dead)
        results = {
            "send_code vs bare POST": paired(post, send("Direct"), args.runs),
            "failover vs refused connect + bare POST": paired(failover_baseline(post), send("Failover"), args.runs),
            "failover vs refused POST + bare POST": paired(lambda: (refused(), post()), send("Failover"), args.runs),
        }
        like_for_like = {
            "send_code vs bare POST": paired(post, send_on_new_connection("Direct"), args.runs),
            "failover vs refused connect + bare POST": paired(failover_baseline(post),
                                                              send_on_new_connection("Failover"), args.runs),
        }
        latency = {
            "send_code vs bare POST": paired(slow_post, send("Direct slow"), slow_runs),
            "failover vs refused connect + bare POST": paired(failover_baseline(slow_post), send("Failover slow"),
                                                              slow_runs),
        }
        with httpx.Client() as warm:
            data = {"api_key": fast["user_name"], "api_secret": fast["password"], "from": fast["sender_id"],
                    "to": PHONE, "text": TEXT, "type": "text"}
            reference = {
                "send_code vs httpx.post (loads CA certs)": paired(
                    lambda: httpx.post(fast["gateway_url"], data=data), send("Direct"), max(10, args.runs // 10)),
                "send_code vs warm-client POST": paired(lambda: warm.post(fast["gateway_url"], data=data),
                                                        send("Direct"), args.runs),
            }
        report = admin.send_code("Failover", PHONE, code="123456")
        assert report.sent and [a.outcome for a in report.attempts] == ["not_sent", "sent"], report.summary
        admin.close()
        db.dispose()
    where = "in processes of their own" if args.own_process else "in this process"
    print(f"send_code benchmark ({db.dialect}, emulators {where}, load average {os.getloadavg()[0]:.2f}): median wall "
          "ms of baseline and send_code, measured alternately, the median ratio (target ≤ 1.5x) and the median "
          "ratio of this process's CPU time (with an in-process emulator, its CPU too)")
    groups = (("loopback (send_code's connection kept open; bare POST on a new one)", results),
              ("loopback, like for like (send_code's connections closed before each call)", like_for_like),
              (f"{args.latency * 1000:.0f} ms provider latency", latency),
              ("loopback, for reference", reference))
    for label, found in groups:
        print(f"  {label}")
        for name, (base, subject, ratio, cpu_ratio) in found.items():
            print(f"    {name:44s} {base:8.2f} {subject:8.2f}  {ratio:5.2f}x  cpu {cpu_ratio:5.2f}x")


if __name__ == "__main__":
    main()
