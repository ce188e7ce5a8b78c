"""The long hostile-input run: every public function with hostile values, on SQLite and PostgreSQL.

    python benchmarks/hostile_input.py [--calls 100000] [--minutes 30] [--pg URL] [--seed 1] [--only sqlite]

Prints, per backend and in total: calls, refusals, undeclared exceptions (anything outside
SmsgwError) and partial writes (a refused call that changed the database). The target is 0 and 0.
Each backend gets half the calls and half the time; the database is emptied every 500 calls.
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time
import uuid

import sqlalchemy as sa
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seed_hypothesis
from hypothesis import strategies as st

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.testing.hostile import OPERATIONS, Tally, loopback_only, reset, seed

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 25  # calls per hypothesis example
ROUND = 500  # calls between two resets of the database


def run(admin: GatewayAdmin, calls: int, seconds: float, label: str, seed_value: int) -> Tally:
    """Rounds of 500 calls (20 hypothesis examples of 25 calls) on a freshly seeded database."""
    tally, started = Tally(), time.monotonic()
    names = st.sampled_from(sorted(OPERATIONS))

    def one_round(round_seed: int) -> None:
        @settings(max_examples=ROUND // BATCH, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        @seed_hypothesis(round_seed)
        def batch(data):
            for _ in range(BATCH):
                tally.attempt(admin, data.draw(names), data.draw)

        reset(admin.db)
        seed(admin)
        batch()

    rounds = 0
    while tally.calls < calls and time.monotonic() - started < seconds:
        one_round(seed_value * 1_000_003 + rounds)
        rounds += 1
        if rounds % 10 == 0:
            print(f"  {label}: {tally.calls:>7,} calls, {len(tally.undeclared)} undeclared, "
                  f"{len(tally.partial_writes)} partial writes, {time.monotonic() - started:6.0f} s", flush=True)
    return tally


def pg_database(server: str) -> tuple[str, sa.Engine] | None:
    admin_engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        name = f"smsgw_hostile_{uuid.uuid4().hex[:8]}"
        with admin_engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError:
        return None
    return sa.make_url(server).set(database=name).render_as_string(hide_password=False), admin_engine


def report(label: str, tally: Tally, seconds: float) -> None:
    print(f"{label:<10} calls {tally.calls:>8,}  refused {tally.refused:>8,}  undeclared {len(tally.undeclared):>5}  "
          f"partial writes {len(tally.partial_writes):>5}  ({seconds:.0f} s, {tally.calls / max(seconds, 1e-9):.0f} calls/s)")
    for kind, items in (("undeclared", tally.undeclared), ("partial write", tally.partial_writes)):
        for text, count in collections.Counter(i.split(":")[0] + ": " + i.split(":")[1] if ":" in i else i
                                               for i in items).most_common(10):
            print(f"    {kind}: {text.strip()} x{count}")
        for example in items[:5]:
            print(f"      e.g. {example[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--pg", default=PG_SERVER)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one backend (run two at once on 2 cores)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="smsgw-hostile-")
    os.environ["SMSGW_KIT_KEY_FILE"] = os.path.join(folder, "secret.keys")  # connect(keyring=None) stays here
    os.environ["SMSGW_KIT_DATABASE_URL"] = f"sqlite:///{folder}/default.db"  # and connect(None) too
    loopback_only()
    keyring = Keyring.from_keys(Fernet.generate_key())
    targets = [] if args.only == "postgresql" else [("SQLite", f"sqlite:///{folder}/hostile.db", None)]
    pg = None if args.only == "sqlite" else pg_database(args.pg)
    if pg:
        targets.append(("PostgreSQL", pg[0], pg[1]))
    elif args.only != "sqlite":
        print(f"PostgreSQL not reachable at {args.pg}: SQLite only")
    total, spent = Tally(), 0.0
    for label, url, _ in targets:
        db = Database(url)
        started = time.monotonic()
        tally = run(GatewayAdmin(db, keyring=keyring, actor="hostile"), args.calls // len(targets),
                    args.minutes * 60 / len(targets), label, args.seed)
        seconds = time.monotonic() - started
        db.dispose()
        report(label, tally, seconds)
        total.calls += tally.calls
        total.refused += tally.refused
        total.undeclared += tally.undeclared
        total.partial_writes += tally.partial_writes
        spent += seconds
    report("total", total, spent)
    if pg:
        with pg[1].connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{sa.make_url(pg[0]).database}" WITH (FORCE)')
        pg[1].dispose()


if __name__ == "__main__":
    main()
