"""Time to build the SMS Gateways page (and to page and search it) with 10, 1,000 and 10,000 accounts.

Run: python benchmarks/bench_page.py  — accounts are bulk-inserted into a temporary SQLite database.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.models import ConnectionTestRun, GatewayAccount, IdentityStore, utcnow
from smsgw_kit.ui import GatewaysPage

SIZES = (10, 1_000, 10_000)
REPEAT = 3


def seed(admin: GatewayAdmin, n: int) -> None:
    """n accounts (one default), a store linked to every tenth account, a test run for every other one."""
    now, secret = utcnow(), admin.keyring.encrypt("benchmark-secret")
    accounts = [dict(name=f"Account {i:05d}", name_key=f"account {i:05d}", gateway_type="Nexmo",
                     gateway_url="https://rest.nexmo.com/sms/json", user_name=f"key{i}", password_enc=secret,
                     sender_id="SMSGW", options={}, is_default=(i == 0), version=1, created_at=now,
                     created_by="bench", updated_at=now, updated_by="bench", connect_timeout=5.0,
                     read_timeout=15.0) for i in range(n)]
    stores = [dict(name=f"Store {i:05d}", name_key=f"store {i:05d}", store_type="Active Directory",
                   gateway_account_id=i + 1, link_source="manual", sms_text="Code [Code]", version=1,
                   created_at=now, created_by="bench", updated_at=now, updated_by="bench") for i in range(0, n, 10)]
    runs = [dict(gateway_account_id=i + 1, account_name=f"Account {i:05d}", gateway_type="Nexmo",
                 started_at=now, duration_ms=12.0, outcome="passed", summary="ok", stages=[], run_by="bench")
            for i in range(0, n, 2)]
    with admin.db.engine.begin() as conn:
        conn.execute(sa.insert(GatewayAccount.__table__), accounts)
        conn.execute(sa.insert(IdentityStore.__table__), stores)
        conn.execute(sa.insert(ConnectionTestRun.__table__), runs)


def timed(action) -> float:
    """Median milliseconds of REPEAT runs of `action`."""
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(n: int, folder: Path) -> dict[str, float]:
    db = Database(f"sqlite:///{folder / f'bench-{n}.db'}")
    admin = GatewayAdmin(db, keyring=Keyring.from_keys(Fernet.generate_key()), actor="bench")
    seed(admin, n)
    pages: list[GatewaysPage] = []
    results = {"build page (ms)": timed(lambda: pages.append(GatewaysPage(admin)))}
    page = pages[-1]
    results["refresh (ms)"] = timed(page.refresh)
    results["next page (ms)"] = timed(lambda: page.table.go(page.table.page + 1))
    terms = iter(["account 0", "account 00", "account 000", "account 0000"])
    results["search (ms)"] = timed(lambda: page.table.search.set_state({"value": next(terms)}))
    results["rows shown"] = len(page.table.rows.children)
    for p in pages:
        p.close()
    db.dispose()
    return results


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="smsgw-bench-") as tmp:
        columns = {n: measure(n, Path(tmp)) for n in SIZES}
    metrics = list(next(iter(columns.values())))
    width = max(len(m) for m in metrics) + 2
    print(f"{'accounts':<{width}}" + "".join(f"{n:>12,}" for n in SIZES))
    for metric in metrics:
        print(f"{metric:<{width}}" + "".join(f"{columns[n][metric]:>12,.1f}" if isinstance(columns[n][metric], float)
                                             else f"{columns[n][metric]:>12,}" for n in SIZES))
    print(f"(median of {REPEAT}; Python {sys.version.split()[0]}, SQLite)")


if __name__ == "__main__":
    main()
