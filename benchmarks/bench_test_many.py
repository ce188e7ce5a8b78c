"""Benchmark: Bulk Test Connection on 200 and 2,000 accounts against the emulator with 100 ms latency.

The emulator runs in a process of its own (as a provider would be remote), over https (as real
providers; --http for plain http), injecting the latency on every request. For each batch size it
prints the wall time of run_connection_tests (pooled clients, shared per proxy / CA bundle / timeouts),
the same batch with one client per account (the previous behaviour, as a baseline in the same run),
the sequential time (a sample run one at a time, scaled; --full runs them all) and the ideal
(sequential split perfectly over the concurrency bound, never less than the slowest single test);
then the same batch done by bare httpx in as many threads (the floor of threads and httpx on this
machine, as a second baseline), the targets, the client's CPU time per account (a figure that a busy machine disturbs less than
wall times) and the peak memory (max RSS) of this process.

    python benchmarks/bench_test_many.py [--accounts 200 2000] [--concurrency 50] [--full]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx

from smsgw_kit.diagnostics import run_connection_test, run_connection_tests
from smsgw_kit.gateways import GatewaySettings
from smsgw_kit.gateways.http import tls_context

TYPES = ("Nexmo", "Twilio", "Bulletin.net", "Clickatell", "RedOxygen", "Generic HTTP")
TARGETS = {200: (1.15, 45.0), 2000: (1.2, None)}  # accounts: (at most × ideal, at least × faster than sequential)


def start_emulator(latency: float, tls: bool) -> tuple[subprocess.Popen, dict[str, dict]]:
    """The standalone emulator and each provider's account fields (with the CA bundle to trust for https)."""
    command = [sys.executable, "-m", "smsgw_kit.testing", "--latency", str(latency)] + (["--tls"] if tls else [])
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    accounts, ca_bundle = {}, None
    for line in process.stdout:
        name, _, rest = line.partition(": ")
        if name == "CA bundle":
            ca_bundle = rest.strip()
        if name in TYPES:
            accounts[name] = {**json.loads(rest), "ca_bundle": ca_bundle}
        if line.startswith("Ctrl-C"):
            return process, accounts
    raise RuntimeError("the emulator did not start")


def unpooled(jobs, phone: str, concurrency: int) -> None:
    """The baseline: the same batch with one client per account (no shared pool), in the caller's order."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda job: run_connection_test(job[1], job[2], phone), jobs))


def bare_floor(jobs, requests: dict[str, int], concurrency: int) -> float:
    """The same batch as bare httpx: in as many threads, each with a client of its own, each account's test
    replaced by as many GETs of its provider's origin as the test made requests, longest first. Seconds."""
    local = threading.local()

    def one(job) -> None:
        _, gateway_type, settings = job
        client = local.__dict__.setdefault("client", httpx.Client(verify=tls_context(settings.ca_bundle)))
        origin = urlsplit(settings.gateway_url)._replace(path="/", query="").geturl()
        for _ in range(requests[gateway_type]):
            client.get(origin)

    longest_first = sorted(jobs, key=lambda job: -requests[job[1]])  # in the order Bulk Test Connection runs them
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, longest_first))
    return time.perf_counter() - start


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(n: int, settings: dict[str, GatewaySettings], args) -> None:
    jobs = [(i, TYPES[i % len(TYPES)], settings[TYPES[i % len(TYPES)]]) for i in range(n)]
    sample = jobs if args.full else jobs[: args.sample]
    start = time.perf_counter()
    one_by_one = run_connection_tests(sample, args.phone, concurrency=1)
    sequential = (time.perf_counter() - start) * n / len(sample)
    # Pooled and baseline alternate (A B B A) and the best of each counts, so warm-up and a busy
    # machine's bursts do not favour either.
    runs: dict[str, list[tuple[float, float]]] = {"pooled": [], "baseline": []}
    reports = {}
    for kind in ("pooled", "baseline", "baseline", "pooled")[: 4 if args.repeat else 2]:
        start, cpu = time.perf_counter(), time.process_time()
        if kind == "pooled":
            reports = run_connection_tests(jobs, args.phone, concurrency=args.concurrency)
        else:
            unpooled(jobs, args.phone, args.concurrency)
        runs[kind].append((time.perf_counter() - start, time.process_time() - cpu))
    # Requests each gateway's test makes, from its one-at-a-time duration (each request waits the latency).
    requests = {t: round(one_by_one[k].duration_ms / 1000 / args.latency) for k, t, _ in sample}
    floor = min(bare_floor(jobs, requests, args.concurrency) for _ in range(2 if args.repeat else 1))
    memory = peak_mb()
    wall, cpu = min(runs["pooled"])
    baseline, baseline_cpu = min(runs["baseline"])
    slowest = max(r.duration_ms for r in one_by_one.values()) / 1000
    ideal = max(slowest, sequential / args.concurrency)
    passed = sum(r.outcome == "passed" for r in reports.values())
    if passed < n:
        print("first failure:", next(r.summary for r in reports.values() if r.outcome != "passed"))
    how = "all run one at a time" if args.full else f"{len(sample)} run one at a time, scaled"
    scheme = "http" if args.http else "https"
    print(f"\n{n} accounts ({scheme}), {args.latency * 1000:.0f} ms latency per request, "
          f"concurrency {args.concurrency}: {passed} passed")
    print(f"wall time (pooled)       {wall:8.2f} s  (runs: {', '.join(f'{w:.2f}' for w, _ in runs['pooled'])})")
    print(f"one client per account   {baseline:8.2f} s  ({baseline / wall:.2f}x the pooled time; runs: "
          f"{', '.join(f'{w:.2f}' for w, _ in runs['baseline'])})")
    print(f"client CPU per account   {cpu / n * 1000:8.2f} ms (one client per account: "
          f"{baseline_cpu / n * 1000:.2f} ms)")
    print(f"sequential time          {sequential:8.2f} s  ({how})")
    print(f"ideal                    {ideal:8.2f} s  (sequential / {args.concurrency}, at least the slowest "
          f"test {slowest:.2f} s)")
    print(f"wall / ideal             {wall / ideal:8.2f} x")
    print(f"bare httpx, same batch   {floor:8.2f} s  ({floor / ideal:.2f}x ideal: threads and httpx alone, the same "
          f"GET count per account; Bulk Test Connection takes {wall / floor:.2f}x this)")
    print(f"speed-up vs sequential   {sequential / wall:8.1f} x")
    print(f"peak memory (max RSS)    {memory:8.0f} MB")
    within, faster = TARGETS.get(n, (None, None))
    if within:
        print(f"target: within {within}x ideal            {'MET' if wall / ideal <= within else 'MISSED'}")
    if faster:
        print(f"target: at least {faster:g}x faster than sequential  "
              f"{'MET' if sequential / wall >= faster else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--phone", default="447079692712")
    parser.add_argument("--sample", type=int, default=24, help="accounts run one at a time for the sequential time")
    parser.add_argument("--full", action="store_true", help="run every account one at a time (slow)")
    parser.add_argument("--http", action="store_true", help="plain http (default: https, as real providers)")
    parser.add_argument("--no-repeat", dest="repeat", action="store_false",
                        help="run pooled and baseline once each (default: twice, A B B A, best counts)")
    args = parser.parse_args()
    process, accounts = start_emulator(args.latency, tls=not args.http)
    try:
        settings = {name: GatewaySettings(**fields, connect_timeout=5.0, read_timeout=15.0)
                    for name, fields in accounts.items()}
        print(f"load average before: {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
        for n in args.accounts:
            measure(n, settings, args)
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
