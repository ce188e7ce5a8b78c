"""Benchmark: Test Connection on 200 accounts against the emulator with 100 ms of injected latency.

Prints the wall time of run_connection_tests next to the sequential time (what running the tests one
after another takes: measured on a sample run one at a time, scaled to all accounts; --full runs them
all) and the ideal (the sequential time split perfectly over the concurrency bound, never less than
the slowest single test). Run: python benchmarks/bench_test_many.py [--concurrency N] [--full]
"""

from __future__ import annotations

import argparse
import time

from smsgw_kit.diagnostics import run_connection_tests
from smsgw_kit.testing import ProviderEmulator

TYPES = ("Nexmo", "Twilio", "Bulletin.net", "Clickatell", "RedOxygen", "Generic HTTP")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--phone", default="447079692712")
    parser.add_argument("--sample", type=int, default=24, help="accounts run one at a time for the sequential time")
    parser.add_argument("--full", action="store_true", help="run every account one at a time (slow)")
    args = parser.parse_args()
    with ProviderEmulator() as emu:
        emu.inject(latency=args.latency)
        jobs = [(i, TYPES[i % len(TYPES)], emu.gateway_settings(TYPES[i % len(TYPES)]))
                for i in range(args.accounts)]
        sample = jobs if args.full else jobs[: args.sample]
        start = time.perf_counter()
        one_by_one = run_connection_tests(sample, args.phone, concurrency=1)
        sequential = (time.perf_counter() - start) * len(jobs) / len(sample)
        start = time.perf_counter()
        reports = run_connection_tests(jobs, args.phone, concurrency=args.concurrency)
        wall = time.perf_counter() - start
    slowest = max(r.duration_ms for r in one_by_one.values()) / 1000
    ideal = max(slowest, sequential / args.concurrency)
    passed = sum(r.outcome == "passed" for r in reports.values())
    how = "all run one at a time" if args.full else f"{len(sample)} run one at a time, scaled"
    print(f"{args.accounts} accounts, {args.latency * 1000:.0f} ms latency per request, "
          f"concurrency {args.concurrency}: {passed} passed")
    print(f"wall time        {wall:7.2f} s")
    print(f"sequential time  {sequential:7.2f} s  ({how})")
    print(f"ideal            {ideal:7.2f} s  (sequential / {args.concurrency}, at least the slowest test {slowest:.2f} s)")
    print(f"speed-up         {sequential / wall:7.1f} x")


if __name__ == "__main__":
    main()
