"""Race a random mix of operations from several processes on one PostgreSQL database, then check the result.

    python benchmarks/race_mix.py [--url URL] [--processes 8] [--ops 500] [--seed 1] [--time-limit 600]

Each process is an operator with its own connections, picking operations at random (create, modify
with fresh or stale copies, set/clear default, delete, stores, links, SMS text, test history) on a
small set of names so that they collide often. Printed: operations run, invariant violations,
undeclared exceptions (anything outside the SmsgwError tree), deadlocks (as the callers saw them and
as PostgreSQL counted them), and audit mismatches (an event whose before values or names are not the
state it replaced, replaying the audit trail from the first event). The target is 0 for each but
operations. Without --url a scratch database is created on the local server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import time
import traceback
import uuid
from collections import Counter
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet

from smsgw_kit import ConnectionReport, Database, GatewayAdmin, Keyring, SmsgwError

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ACCOUNTS = [f"A{i}" for i in range(8)]
STORES = [f"S{i}" for i in range(8)]
NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


def _report() -> ConnectionReport:
    return ConnectionReport(gateway_type="Nexmo", outcome="passed", stages=(), summary="race mix", duration_ms=1.0,
                            started_at="2026-01-01T00:00:00+00:00")


def _operations(admin: GatewayAdmin, rng: random.Random) -> list[tuple[str, Any]]:
    a, b, s = rng.choice(ACCOUNTS), rng.choice(ACCOUNTS), rng.choice(STORES)

    def stale_modify() -> Any:
        copy = admin.get_account(a)
        return admin.modify_account(copy, user_name=f"u{rng.randrange(1000)}",
                                    set_default=rng.choice([None, None, True, False]))

    def history() -> None:
        """Test results of several accounts saved in one transaction, as test_accounts saves them."""
        runs = [(acc.id, acc.name, _report()) for acc in admin.list_accounts() if rng.random() < 0.5]
        admin._store_tests(runs)

    create = ("create_account", lambda: admin.create_account(name=a, set_default=rng.random() < 0.3, **NEXMO))
    create_store = ("create_identity_store", lambda: admin.create_identity_store(name=s))
    return [
        create, create, create_store,
        ("modify_account", lambda: admin.modify_account(a, user_name=f"u{rng.randrange(1000)}")),
        ("rename_account", lambda: admin.modify_account(a, name=b)),
        ("modify_stale_copy", stale_modify),
        ("set_default", lambda: admin.set_default(a)),
        ("set_default_stale_copy", lambda: admin.set_default(admin.get_account(a))),
        ("clear_default", admin.clear_default),
        ("delete_account", lambda: admin.delete_account(a)),
        ("create_identity_store", lambda: admin.create_identity_store(name=s)),
        ("link", lambda: admin.link(s, a)),
        ("unlink", lambda: admin.unlink(s)),
        ("set_sms_text", lambda: admin.set_sms_text(s, f"Code [Code] {rng.randrange(1000)}")),
        ("configure_sms_authentication", lambda: admin.configure_sms_authentication(
            s, account=rng.choice([None, a]), sms_text=f"Your code [Code] {rng.randrange(1000)}")),
        ("delete_identity_store", lambda: admin.delete_identity_store(s)),
        ("test_history", history),
    ]


def _is_deadlock(exc: BaseException) -> bool:
    cause = exc.__cause__
    return getattr(getattr(cause, "orig", None), "sqlstate", None) == "40P01"


def worker(args: tuple[str, bytes, int, int, int, float]) -> dict[str, Any]:
    url, key, index, ops, seed, deadline = args
    rng = random.Random(seed * 1000 + index)
    db = Database(url, migrate=False)
    admin = GatewayAdmin(db, keyring=Keyring.from_keys(key), actor=f"op{index}")
    done, declared, undeclared, deadlocks = 0, Counter(), [], 0
    for _ in range(ops):
        if time.monotonic() > deadline:
            break
        name, call = rng.choice(_operations(admin, rng))
        try:
            call()
        except SmsgwError as exc:
            declared[type(exc).__name__] += 1
            deadlocks += _is_deadlock(exc)
        except Exception as exc:  # noqa: BLE001 - counting what escapes the SmsgwError tree is the point
            undeclared.append(f"{name}: {type(exc).__module__}.{type(exc).__name__}: {exc}"[:400]
                              + "\n" + "".join(traceback.format_tb(exc.__traceback__)[-2:]))
        done += 1
    db.dispose()
    return {"ops": done, "declared": declared, "undeclared": undeclared, "deadlocks": deadlocks}


# Checking -------------------------------------------------------------------------------------

class AuditReplay:
    """Rebuild accounts and stores from the audit trail, event by event, noting every event whose
    `before` (or object name) is not the state it replaced."""

    def __init__(self) -> None:
        self.accounts: dict[int, dict[str, Any]] = {}
        self.stores: dict[int, dict[str, Any]] = {}
        self.default: int | None = None
        self.mismatches: list[str] = []

    def _name(self, account_id: int | None) -> str | None:
        return self.accounts[account_id]["name"] if account_id in self.accounts else None

    def _by_name(self, name: str | None) -> int | None:
        return next((i for i, a in self.accounts.items() if a["name"] == name), None)

    def _expect(self, event: Any, what: str, seen: Any, state: Any) -> None:
        if seen != state:
            self.mismatches.append(f"event {event.id} {event.action} {event.object_name!r}: {what} "
                                   f"says {seen!r}, the state replaced was {state!r}")

    def apply(self, e: Any) -> None:
        getattr(self, "_" + e.action.replace(".", "_"))(e)
        row = self.accounts.get(e.object_id) if e.object_kind == "account" else self.stores.get(e.object_id)
        if row is not None:
            self._expect(e, "object_name", e.object_name, row["name"])

    def _account_create(self, e: Any) -> None:
        self.accounts[e.object_id] = dict(e.after)

    def _account_modify(self, e: Any) -> None:
        row = self.accounts[e.object_id]
        for key, value in e.before.items():
            self._expect(e, f"before[{key!r}]", value, row.get(key))
        row.update({k: ("set" if v == "changed" else v) for k, v in e.after.items()})

    def _account_set_default(self, e: Any) -> None:
        self._expect(e, "before default", e.before["default"], self._name(self.default))
        if self.default in self.accounts:
            self.accounts[self.default]["is_default"] = False
        self.default = e.object_id
        self.accounts[e.object_id]["is_default"] = True

    def _account_clear_default(self, e: Any) -> None:
        self._expect(e, "before default", e.before["default"], self._name(self.default))
        self.accounts[e.object_id]["is_default"] = False
        self.default = None

    def _account_delete(self, e: Any) -> None:
        row = self.accounts.pop(e.object_id)
        for key, value in e.before.items():
            self._expect(e, f"before[{key!r}]", value, row.get(key))
        self._expect(e, "object_name", e.object_name, row["name"])
        if self.default == e.object_id:
            self.default = None

    def _store_create(self, e: Any) -> None:
        self._expect(e, "gateway_account (the default)", e.after["gateway_account"], self._name(self.default))
        self.stores[e.object_id] = {k: v for k, v in e.after.items() if k not in ("gateway_account", "notice")}

    def _relink(self, e: Any, account_id: int | None, source: str | None) -> None:
        row = self.stores[e.object_id]
        self._expect(e, "before gateway_account", e.before["gateway_account"], self._name(row["gateway_account_id"]))
        if "link_source" in e.before:
            self._expect(e, "before link_source", e.before["link_source"], row["link_source"])
        row.update(gateway_account_id=account_id, link_source=source)

    def _store_link(self, e: Any) -> None:
        self._relink(e, self._by_name(e.after["gateway_account"]), "manual")

    def _store_unlink(self, e: Any) -> None:
        self._relink(e, None, None)

    def _store_set_sms_text(self, e: Any) -> None:
        row = self.stores[e.object_id]
        self._expect(e, "before sms_text", e.before["sms_text"], row["sms_text"])
        row["sms_text"] = e.after["sms_text"]

    def _store_delete(self, e: Any) -> None:
        row = self.stores.pop(e.object_id)
        self._expect(e, "before gateway_account", e.before["gateway_account"], self._name(row["gateway_account_id"]))
        for key in ("name", "sms_text", "gateway_account_id", "link_source"):
            self._expect(e, f"before[{key!r}]", e.before[key], row[key])


def check(url: str) -> tuple[list[str], list[str]]:
    """(invariant violations, audit mismatches) of the database at `url`."""
    engine = sa.create_engine(url)
    violations: list[str] = []
    with engine.connect() as conn:
        defaults = conn.exec_driver_sql("SELECT name FROM gateway_account WHERE is_default").scalars().all()
        if len(defaults) > 1:
            violations.append(f"{len(defaults)} default accounts: {defaults}")
        orphans = conn.exec_driver_sql(
            "SELECT s.name FROM identity_store s LEFT JOIN gateway_account a ON a.id = s.gateway_account_id "
            "WHERE s.gateway_account_id IS NOT NULL AND a.id IS NULL").scalars().all()
        violations += [f"store {n!r} linked to a deleted account" for n in orphans]
        events = conn.execute(sa.text("SELECT id, action, object_kind, object_id, object_name, before, after "
                                      "FROM audit_event ORDER BY id")).all()
        accounts = {r.id: r for r in conn.exec_driver_sql("SELECT * FROM gateway_account").all()}
        stores = {r.id: r for r in conn.exec_driver_sql("SELECT * FROM identity_store").all()}
    engine.dispose()
    replay = AuditReplay()
    for event in events:
        try:
            replay.apply(event)
        except KeyError as exc:
            replay.mismatches.append(f"event {event.id} {event.action} on an object the trail does not know: {exc}")
    replay.mismatches += _final_state_differences(replay, accounts, stores)
    return violations, replay.mismatches


def _final_state_differences(replay: AuditReplay, accounts: dict, stores: dict) -> list[str]:
    out = []
    if set(replay.accounts) != set(accounts) or set(replay.stores) != set(stores):
        out.append("the audit trail does not account for every account/store that exists (or that was deleted)")
    for i, row in accounts.items():
        rebuilt = replay.accounts.get(i, {})
        for key in ("name", "user_name", "is_default"):
            if rebuilt.get(key) != getattr(row, key):
                out.append(f"account {i}: {key} is {getattr(row, key)!r}, the audit trail says {rebuilt.get(key)!r}")
    for i, row in stores.items():
        rebuilt = replay.stores.get(i, {})
        for key in ("name", "gateway_account_id", "link_source", "sms_text"):
            if rebuilt.get(key) != getattr(row, key):
                out.append(f"store {i}: {key} is {getattr(row, key)!r}, the audit trail says {rebuilt.get(key)!r}")
    return out


def _pg_deadlocks(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = conn.exec_driver_sql("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").scalar()
    engine.dispose()
    return int(count or 0)


def run(url: str, *, processes: int, ops: int, seed: int, time_limit: float) -> dict[str, Any]:
    """Run the mix on the (migrated, empty) database at `url`; the counts and details."""
    key = Fernet.generate_key()
    deadline = time.monotonic() + time_limit
    deadlocks_before = _pg_deadlocks(url)
    started = time.perf_counter()
    with mp.get_context("spawn").Pool(processes) as pool:
        jobs = pool.map_async(worker, [(url, key, i, ops, seed, deadline) for i in range(processes)])
        results = jobs.get(timeout=time_limit + 120)  # bounded even if a worker dies
    elapsed = time.perf_counter() - started
    time.sleep(0.5)  # pg_stat counters are flushed by the backends when they exit
    violations, mismatches = check(url)
    return {
        "operations": sum(r["ops"] for r in results),
        "seconds": round(elapsed, 1),
        "declared": sum((r["declared"] for r in results), Counter()),
        "undeclared": [u for r in results for u in r["undeclared"]],
        "deadlocks_seen": sum(r["deadlocks"] for r in results),
        "deadlocks_counted_by_postgres": _pg_deadlocks(url) - deadlocks_before,
        "invariant_violations": violations,
        "audit_mismatches": mismatches,
    }


def _scratch_database(server: str) -> tuple[str, sa.Engine, str]:
    name = f"smsgw_race_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    Database(url).dispose()
    return url, admin, name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a migrated, empty PostgreSQL database (default: a scratch database)")
    parser.add_argument("--server", default=PG_SERVER, help="where the scratch database is made")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--ops", type=int, default=500, help="operations per process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds; processes stop early after it")
    args = parser.parse_args(argv)
    scratch = None
    url = args.url
    if url is None:
        url, admin, name = _scratch_database(args.server)
        scratch = (admin, name)
    try:
        out = run(url, processes=args.processes, ops=args.ops, seed=args.seed, time_limit=args.time_limit)
    finally:
        if scratch:
            with scratch[0].connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch[1]}" WITH (FORCE)')
            scratch[0].dispose()
    print(f"seed {args.seed}: {args.processes} processes x {args.ops} operations in {out['seconds']} s")
    print(f"operations                     {out['operations']}")
    print(f"invariant violations           {len(out['invariant_violations'])}")
    print(f"undeclared exceptions          {len(out['undeclared'])}")
    print(f"deadlocks (seen by callers)    {out['deadlocks_seen']}")
    print(f"deadlocks (counted by server)  {out['deadlocks_counted_by_postgres']}")
    print(f"audit mismatches               {len(out['audit_mismatches'])}")
    print("declared errors                " + ", ".join(f"{k} {v}" for k, v in sorted(out["declared"].items())))
    for line in (out["invariant_violations"] + out["undeclared"] + out["audit_mismatches"])[:15]:
        print("  " + line)
    bad = (out["invariant_violations"] or out["undeclared"] or out["audit_mismatches"]
           or out["deadlocks_seen"] or out["deadlocks_counted_by_postgres"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
