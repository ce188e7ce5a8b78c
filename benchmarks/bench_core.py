"""Benchmark the core: operation latency next to a bare SQLAlchemy insert+commit, and the accounts
view over 10,000 accounts next to a bare pandas.read_sql of the same query.

    python benchmarks/bench_core.py [--url URL] [--runs 200] [--accounts 10000]

Without --url it runs on a temporary SQLite file and, if reachable, on a scratch PostgreSQL database.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid

import pandas as pd
import sqlalchemy as sa
from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.views import accounts_query

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIELDS = dict(gateway_type="Nexmo", user_name="key", password="secret", sender_id="GroupID")


def median_ms(fn, runs: int) -> float:
    samples = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def bench_operations(admin: GatewayAdmin, runs: int) -> dict[str, float]:
    engine = admin.db.engine
    scratch = sa.Table("bench_scratch", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("name", sa.String(128)))
    scratch.create(engine, checkfirst=True)

    def bare(i):
        with engine.begin() as conn:
            conn.execute(scratch.insert().values(name=f"n{i}"))

    admin.create_identity_store(name="bench-store")
    out = {"bare insert+commit": median_ms(bare, runs)}
    out["create"] = median_ms(lambda i: admin.create_account(name=f"op{i}", **FIELDS), runs)
    out["modify"] = median_ms(lambda i: admin.modify_account(f"op{i}", user_name=f"k{i}"), runs)
    out["set default"] = median_ms(lambda i: admin.set_default(f"op{i}"), runs)
    out["link"] = median_ms(lambda i: admin.link("bench-store", f"op{i}"), runs)
    admin.unlink("bench-store")
    admin.clear_default()
    out["delete"] = median_ms(lambda i: admin.delete_account(f"op{i}"), runs)
    scratch.drop(engine)
    return out


def seed_accounts(admin: GatewayAdmin, n: int) -> None:
    token = admin.keyring.encrypt("secret")
    now = pd.Timestamp.now(tz="UTC").to_pydatetime()
    rows = [dict(name=f"acct-{i:05d}", name_key=f"acct-{i:05d}", gateway_type="Nexmo", gateway_url="https://x",
                 user_name="key", password_enc=token, sender_id="S", options={}, is_default=False, version=1,
                 connect_timeout=5.0, read_timeout=15.0, created_at=now, created_by="bench", updated_at=now,
                 updated_by="bench") for i in range(n)]
    from smsgw_kit.models import GatewayAccount

    with admin.db.engine.begin() as conn:
        conn.execute(GatewayAccount.__table__.insert(), rows)


def bench_view(admin: GatewayAdmin, n: int, runs: int = 5) -> dict[str, float]:
    seed_accounts(admin, n)

    def bare(_):
        with admin.db.engine.connect() as conn:
            pd.read_sql(accounts_query(), conn)

    return {
        f"bare pandas.read_sql ({n:,} accounts)": median_ms(bare, runs),
        f"accounts_frame() ({n:,} accounts)": median_ms(lambda _: admin.accounts_frame(), runs),
    }


def run(url: str, runs: int, n_accounts: int) -> None:
    db = Database(url)
    admin = GatewayAdmin(db, keyring=Keyring.from_keys(Fernet.generate_key()), actor="bench")
    print(f"\n== {db.dialect} ==")
    ops = bench_operations(admin, runs)
    base = ops["bare insert+commit"]
    print(f"{'operation':<40}{'median ms':>10}{'x bare':>9}")
    for name, ms in ops.items():
        print(f"{name:<40}{ms:>10.2f}{ms / base:>9.1f}")
    view = bench_view(admin, n_accounts)
    (bare_name, bare_ms), (view_name, view_ms) = view.items()
    print(f"{bare_name:<40}{bare_ms:>10.1f}{1.0:>9.1f}")
    print(f"{view_name:<40}{view_ms:>10.1f}{view_ms / bare_ms:>9.2f}")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args()
    if args.url:
        run(args.url, args.runs, args.accounts)
        return
    run(f"sqlite:///{tempfile.mkdtemp()}/bench.db", args.runs, args.accounts)
    name = f"smsgw_bench_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError:
        print("\n(PostgreSQL not reachable: skipped)")
        return
    try:
        run(sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False), args.runs, args.accounts)
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
