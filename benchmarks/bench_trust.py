"""Benchmark the trust features: checking the audit chain next to a bare read of the same rows, and
masking every encoding of a secret next to masking its plain form only.

    python benchmarks/bench_trust.py [--url URL] [--events 10000]

Without --url it runs on a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time

from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, Keyring, audit
from smsgw_kit.masking import mask


def seconds(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_chain(url: str, events: int) -> None:
    db = Database(url)
    admin = GatewayAdmin(db, keyring=Keyring.from_keys(Fernet.generate_key()), actor="bench")
    with db.transaction() as s:
        for i in range(events):
            audit.record(s, actor="bench", action="account.modify", row=None, object_kind="account",
                         object_name=f"Account {i}", before={"sender_id": "A"}, after={"sender_id": f"B{i}"})

    def bare() -> None:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT * FROM audit_event ORDER BY id").all()

    base, chain = seconds(bare), seconds(lambda: admin.verify_audit())
    print(f"verify_audit over {events} events: {chain * 1000:.0f} ms; bare SELECT of the rows: "
          f"{base * 1000:.0f} ms; ratio {chain / base:.1f}x; {events / chain:,.0f} events/s")
    db.dispose()


def bench_masking(rounds: int = 2000) -> None:
    secret = "S3cr3t PROBE/2+x"
    text = ("GET https://rest.nexmo.com/account/get-balance?api_key=abc&api_secret=S3cr3t+PROBE%2F2%2Bx "
            "HTTP/1.1 404 Not Found: no emulated API at /generic/S3cr3t%20PROBE%2F2%2Bx/send ") * 8

    def plain() -> None:
        for _ in range(rounds):
            re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", "********", text)

    def every_form() -> None:
        for _ in range(rounds):
            mask(text, [secret, "proxy-pass-123"])

    base, full = seconds(plain), seconds(every_form)
    print(f"masking a {len(text)}-character text {rounds} times: every encoding {full * 1000:.0f} ms, "
          f"plain form only {base * 1000:.0f} ms; ratio {full / base:.1f}x; {full / rounds * 1e6:.0f} µs per text")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_chain(args.url or f"sqlite:///{tmp}/bench.db", args.events)
    bench_masking()


if __name__ == "__main__":
    main()
