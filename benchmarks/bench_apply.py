"""Benchmark applying a 10,000-account document to an empty database next to a bare bulk insert of
the same rows (SQLAlchemy Core executemany, one transaction) into another empty database, same run.

    python benchmarks/bench_apply.py [--url URL] [--accounts 10000] [--runs 3]

Without --url it runs on temporary SQLite files and, if reachable, on scratch PostgreSQL databases.
"plan + apply" is what `smsgw apply FILE --yes` does; "apply" alone is the transaction. The ratios are to
the bare insert of the account rows; "same + audit rows" also inserts the audit events apply writes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.models import AuditEvent, GatewayAccount

PG_SERVER = os.environ.get("SMSGW_KIT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TYPES = [("Nexmo", {"user_name": "key", "sender_id": "GroupID"}),
         ("Twilio", {"account_id": "AC" + "0" * 29 + "123", "user_name": "AC" + "0" * 29 + "123",
                     "sender_id": "+15005550006"}),
         ("Clickatell", {"account_id": "3456789", "user_name": "ops", "sender_id": "GroupID"})]


def document(n: int) -> dict:
    """n accounts (a tenth behind a proxy), 20 identity stores linked round the first accounts, a default."""
    accounts = []
    for i in range(n):
        gateway_type, fields = TYPES[i % len(TYPES)]
        os.environ[f"BENCH_SECRET_{i}"] = f"secret-{i}"
        entry = {"name": f"acct-{i:05d}", "gateway_type": gateway_type, **fields, "password": f"env:BENCH_SECRET_{i}"}
        if i % 10 == 0:
            entry.update(proxy_host_name="proxy.example.net", proxy_port=3128, proxy_user_name="p",
                         proxy_password=f"env:BENCH_SECRET_{i}")
        accounts.append(entry)
    stores = [{"name": f"store-{j:02d}", "gateway_account": f"acct-{j:05d}"} for j in range(min(20, n))]
    return {"version": 1, "default": "acct-00000", "accounts": accounts, "identity_stores": stores}


@contextmanager
def empty_databases(kind: str, url: str | None) -> Iterator[Callable[[], str]]:
    """A factory of fresh empty database URLs of one kind, all removed at the end."""
    made: list[str] = []
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT") if kind == "postgresql" else None
    folder = tempfile.mkdtemp()

    def new() -> str:
        if url:
            raise SystemExit("--url runs one database only; use --runs 1")
        if server is None:
            return f"sqlite:///{folder}/bench-{len(made)}-{uuid.uuid4().hex[:6]}.db"
        name = f"smsgw_bench_{uuid.uuid4().hex[:8]}"
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)

    try:
        yield (lambda: url) if url else new
    finally:
        if server is not None:
            with server.connect() as conn:
                for name in made:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            server.dispose()


def one_run(doc: dict, new_url: Callable[[], str]) -> dict[str, float]:
    keyring = Keyring.from_keys(Fernet.generate_key())
    db = Database(new_url())
    admin = GatewayAdmin(db, keyring=keyring, actor="bench")
    t0 = time.perf_counter()
    plan = admin.plan(doc)
    t1 = time.perf_counter()
    admin.apply(plan)
    t2 = time.perf_counter()
    table, events = GatewayAccount.__table__, AuditEvent.__table__
    with db.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]
        audit = [dict(r._mapping) for r in conn.execute(sa.select(events).where(events.c.action == "account.create"))]
    assert len(rows) == len(audit) == len(doc["accounts"]) and admin.plan(doc).empty
    db.dispose()
    return {"bare bulk insert": bare_insert(new_url(), [(table, rows)]),
            "  same + audit rows": bare_insert(new_url(), [(table, rows), (events, audit)]),
            "plan": t1 - t0, "apply": t2 - t1, "plan + apply": t2 - t0}


def bare_insert(url: str, batches: list[tuple[sa.Table, list[dict]]]) -> float:
    """Seconds to insert the rows as they are (already checked and encrypted) in one transaction."""
    bare = Database(url)
    t0 = time.perf_counter()
    with bare.engine.begin() as conn:
        for table, rows in batches:
            conn.execute(table.insert(), rows)
    seconds = time.perf_counter() - t0
    bare.dispose()
    return seconds


def run(kind: str, url: str | None, n: int, runs: int) -> None:
    doc = document(n)
    try:
        with empty_databases(kind, url) as new_url:
            results = [one_run(doc, new_url) for _ in range(runs)]
    except sa.exc.OperationalError as exc:
        print(f"\n== {kind}: not reachable ({type(exc.orig).__name__}), skipped ==")
        return
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    base = med["bare bulk insert"]
    print(f"\n== {kind}: {n:,} accounts, median of {runs} run(s) ==")
    print(f"{'':<34}{'seconds':>9}{'x bare':>9}")
    for name, seconds in med.items():
        print(f"{name:<34}{seconds:>9.3f}{seconds / base:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="one empty database to use (its kind is taken from the URL)")
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.url:
        run(sa.make_url(args.url).get_backend_name(), args.url, args.accounts, 1)
        return
    run("sqlite", None, args.accounts, args.runs)
    run("postgresql", None, args.accounts, args.runs)


if __name__ == "__main__":
    main()
