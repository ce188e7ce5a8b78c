"""Applying many new accounts in one batch keeps every guarantee of creating them by hand, on SQLite and
PostgreSQL: rules (checked again when the plan was edited), the key pin, the audit chain, the database's
own constraints and triggers; and benchmarks/bench_apply.py --url starts every run from an empty database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from smsgw_kit import Database, GatewayAdmin, InvalidInput, Keyring, keystore
from smsgw_kit.bulk import insert_rows
from smsgw_kit.models import GatewayAccount

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_apply.py"


def document(n: int) -> dict:
    """n accounts: Nexmo ones, every third behind a proxy with its own proxy password."""
    accounts = []
    for i in range(n):
        entry = {"name": f"acct-{i:03d}", "gateway_type": "Nexmo", "user_name": "key", "sender_id": "GroupID",
                 "password": "env:BATCH_SECRET"}
        if i % 3 == 0:
            entry.update(proxy_host_name="proxy.example.net", proxy_port=3128, proxy_password="env:BATCH_PROXY")
        accounts.append(entry)
    return {"accounts": accounts, "identity_stores": [{"name": "Corp", "gateway_account": "acct-001"}]}


@pytest.fixture(autouse=True)
def secrets_env(monkeypatch):
    monkeypatch.setenv("BATCH_SECRET", "batch-secret-1")
    monkeypatch.setenv("BATCH_PROXY", "batch-proxy-2")


def test_a_batch_is_sealed_pinned_audited_in_the_chain_and_in_order(admin):
    admin.apply(admin.plan(document(60)))

    table = GatewayAccount.__table__
    with admin.db.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.id, table.c.name, table.c.password_enc, table.c.proxy_password_enc)
                            .order_by(table.c.id)).all()
        state = keystore.read_state(conn)
    assert [r.name for r in rows] == [f"acct-{i:03d}" for i in range(60)]  # ids in the document's order
    assert {admin.keyring.decrypt(r.password_enc) for r in rows} == {"batch-secret-1"}
    assert [admin.keyring.decrypt(r.proxy_password_enc) for r in rows[::3]] == ["batch-proxy-2"] * 20
    assert state.current == admin.keyring.current  # the first secrets record their key, as a flush does
    check = admin.verify_audit()
    assert check.intact and check.events == 62, str(check)  # 60 creates, the store, its link
    events = admin.audit_frame(action="account.create").sort_values("id")
    assert list(events.object_id) == [r.id for r in rows]
    if admin.db.engine.dialect.name == "postgresql":  # the database's trigger fills db_user, COPY or not
        assert set(events.db_user) == {"postgres"}


def test_a_plan_edited_after_it_was_made_is_checked_again(admin):
    plan = admin.plan(document(5))
    plan.changes[2].data["fields"]["gateway_url"] = "ftp://example.net/sms"  # no database constraint says no

    with pytest.raises(InvalidInput, match=r"gateway_url.*is not a web address"):
        admin.apply(plan)

    assert admin.list_accounts() == [] and admin.audit_frame().empty


def test_the_fast_insert_raises_what_an_insert_raises_and_keeps_the_constraints(admin):
    admin.apply(admin.plan(document(2)))
    table = GatewayAccount.__table__
    with admin.db.engine.connect() as conn:
        row = dict(conn.execute(sa.select(table).where(table.c.name == "acct-000")).mappings().one())
    row.pop("id")

    for clash, error in (({}, "name_key"), ({"name_key": "other", "proxy_port": 0}, "proxy_port")):
        with pytest.raises(sa.exc.IntegrityError, match=error) as caught, admin.db.transaction() as session:
            insert_rows(session, table, [{**row, **clash}])
        assert "batch-secret" not in str(caught.value) and caught.value.params is None
    assert len(admin.list_accounts()) == 2


def test_bench_apply_url_mode_starts_each_run_from_an_empty_database(tmp_path, runs=2):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    out = subprocess.run([sys.executable, str(BENCH), "--url", url, "--accounts", "12", "--runs", str(runs)],
                         capture_output=True, text=True, timeout=300)

    assert out.returncode == 0, out.stderr
    assert f"median of {runs} run(s)" in out.stdout and "target: apply within 3x" in out.stdout
    again = subprocess.run([sys.executable, str(BENCH), "--url", url, "--accounts", "12", "--runs", "1"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr  # left empty, as it was given
    db = Database(url)
    GatewayAdmin(db, keyring=Keyring.from_keys(Fernet.generate_key()), actor="x").create_account(
        name="real", gateway_type="Nexmo", user_name="k", password="p", sender_id="G")
    db.dispose()
    refused = subprocess.run([sys.executable, str(BENCH), "--url", url, "--accounts", "12"],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "holds accounts or audit events" in refused.stderr


def test_planning_and_applying_run_without_the_cycle_collector_and_give_it_back(admin, monkeypatch):
    import gc

    import smsgw_kit.config as config
    from smsgw_kit.config import apply as applying

    seen = {}

    def spy(name, real):
        def call(*args, **kwargs):
            seen[name] = gc.isenabled()
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(config, "make_plan", spy("plan", config.make_plan))
    monkeypatch.setattr(applying, "_apply", spy("apply", applying._apply))
    assert gc.isenabled()
    admin.apply(admin.plan(document(3)))
    assert seen == {"plan": False, "apply": False} and gc.isenabled()
    with pytest.raises(InvalidInput):
        admin.plan({"accounts": [{"name": "x", "gateway_type": "Nexmo", "colour": "red"}]})
    assert gc.isenabled()  # a refused document gives it back too
