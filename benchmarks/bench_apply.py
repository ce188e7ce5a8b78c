"""Benchmark applying a 10,000-account document to an empty database next to a bare bulk insert of
the same rows (SQLAlchemy Core executemany, one transaction) into another empty database, same run.

    python benchmarks/bench_apply.py [--url URL] [--accounts 10000] [--runs 3]

Without --url it runs on temporary SQLite files and, if reachable, on scratch PostgreSQL databases.
With --url it uses that database, which must hold no accounts and no audit events: it is emptied
before every use (each run's apply and each bare insert start from an empty database) and at the end.
"plan + apply" is what `smsgw apply FILE --yes` does; "apply" alone is the transaction. The ratios are to
the bare insert of the account rows; "same + audit rows" also inserts the audit events apply writes;
"same, as apply inserts" inserts both the way apply does (smsgw_kit.bulk: COPY on PostgreSQL, one
plain executemany on SQLite), for reference; "floor" adds to that what apply cannot skip: encrypting
every secret and hashing the audit chain (the least any apply can take, with nothing else done).
Target (issue 13): apply within 3x the bare insert.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlmodel import Session, SQLModel

from smsgw_kit import Database, GatewayAdmin, Keyring, audit
from smsgw_kit.bulk import insert_rows
from smsgw_kit.models import AuditEvent, GatewayAccount

PG_SERVER = os.environ.get("SMSGW_KIT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGETS = {"apply": 3.0, "plan + apply": 3.0}  # within this many times the bare insert; plan + apply: ideally
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
    if url:
        refuse_unless_empty(url)
        try:
            yield lambda: emptied(url)
        finally:
            emptied(url)  # left empty, as it was given
        return
    made: list[str] = []
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT") if kind == "postgresql" else None
    folder = tempfile.mkdtemp()

    def new() -> str:
        if server is None:
            return f"sqlite:///{folder}/bench-{len(made)}-{uuid.uuid4().hex[:6]}.db"
        name = f"smsgw_bench_{uuid.uuid4().hex[:8]}"
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)

    try:
        yield new
    finally:
        if server is not None:
            with server.connect() as conn:
                for name in made:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            server.dispose()


def refuse_unless_empty(url: str) -> None:
    """--url empties the database between uses: never one that holds accounts or an audit trail."""
    db = Database(url)
    with db.engine.connect() as conn:
        held = sum(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                   for t in (GatewayAccount.__table__, AuditEvent.__table__))
    db.dispose()
    if held:
        raise SystemExit(f"--url {sa.make_url(url).render_as_string()} holds accounts or audit events; "
                         "give an empty database (it is emptied between runs)")


def emptied(url: str) -> str:
    """The database of `url` with every table emptied (ids restart), as a new one would be."""
    db = Database(url)
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                conn.execute(table.delete())
    db.dispose()
    return url


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
    fast = bare_insert(new_url(), [(table, rows), (events, audit)], fast=True)
    return {"bare bulk insert": bare_insert(new_url(), [(table, rows)]),
            "  same + audit rows": bare_insert(new_url(), [(table, rows), (events, audit)]),
            "  same, as apply inserts": fast,
            "  floor: + encrypt, + hash chain": fast + encrypting(doc, keyring) + hashing(audit),
            "plan": t1 - t0, "apply": t2 - t1, "plan + apply": t2 - t0}


@contextmanager
def without_collector() -> Iterator[None]:
    """The baselines run with the cycle collector paused, as plan and apply do: at their fastest, and steady
    (with it on, the bare insert varied from 0.2 to 0.46 s with what the process held)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def encrypting(doc: dict, keyring: Keyring) -> float:
    """Seconds to encrypt every secret of the document, as apply must (one Fernet token each)."""
    secrets = [os.environ[entry[field].removeprefix("env:")] for entry in doc["accounts"]
               for field in ("password", "proxy_password") if field in entry]
    with without_collector():
        t0 = time.perf_counter()
        for secret in secrets:
            keyring.encrypt(secret)
        return time.perf_counter() - t0


def hashing(events: list[dict]) -> float:
    """Seconds to chain the audit events apply wrote (each event's hash covers the previous one)."""
    with without_collector():
        t0 = time.perf_counter()
        prev = audit.GENESIS
        for event in events:
            prev = audit.event_hash(prev, event)
        return time.perf_counter() - t0


def bare_insert(url: str, batches: list[tuple[sa.Table, list[dict]]], *, fast: bool = False) -> float:
    """Seconds to insert the rows as they are (already checked and encrypted) in one transaction:
    SQLAlchemy Core executemany, or (`fast`) the way apply inserts them (smsgw_kit.bulk)."""
    bare = Database(url)
    rows_of = [(table, [{k: v for k, v in row.items() if k != "id"} for row in rows]) for table, rows in batches]
    t0 = time.perf_counter()
    with without_collector(), bare.engine.begin() as conn:
        if fast:
            with Session(bind=conn) as session:
                for table, rows in rows_of:
                    insert_rows(session, table, rows)
        else:
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
    for name, within in TARGETS.items():
        ratio = med[name] / base
        print(f"target: {name} within {within:g}x the bare insert  {ratio:.2f}x  {'met' if ratio <= within else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="one empty database to use (its kind is taken from the URL)")
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.url:
        run(sa.make_url(args.url).get_backend_name(), args.url, args.accounts, args.runs)
        return
    run("sqlite", None, args.accounts, args.runs)
    run("postgresql", None, args.accounts, args.runs)


if __name__ == "__main__":
    main()
