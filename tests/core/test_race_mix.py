"""benchmarks/race_mix.py in small: the random mix from two processes leaves nothing to report, and its
audit replay does notice an event whose `before` is not the state it replaced."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from smsgw_kit import Database, GatewayAdmin

pytestmark = pytest.mark.postgres
SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "race_mix.py"


@pytest.fixture(scope="module")
def race_mix():
    sys.path.insert(0, str(SCRIPT.parent))  # spawned worker processes inherit sys.path and import it by name
    try:
        yield importlib.import_module("race_mix")
    finally:
        sys.path.remove(str(SCRIPT.parent))


def test_a_short_mix_from_two_processes_has_nothing_to_report(race_mix, empty_pg_url):
    out = race_mix.run(empty_pg_url, processes=2, ops=60, seed=7, time_limit=90)
    assert out["operations"] == 120
    assert (out["invariant_violations"], out["undeclared"], out["audit_mismatches"]) == ([], [], [])
    assert out["deadlocks_seen"] == 0 and out["deadlocks_counted_by_postgres"] == 0


def test_the_audit_replay_catches_a_before_value_that_was_not_the_state(race_mix, empty_pg_url, keyring):
    admin = GatewayAdmin(Database(empty_pg_url), keyring=keyring, actor="op")
    admin.create_account(name="A", gateway_type="Nexmo", user_name="key", password="p", sender_id="G")
    admin.modify_account("A", user_name="second")
    assert race_mix.check(empty_pg_url) == ([], [])
    with admin.db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_event SET before = '{\"user_name\": \"imagined\"}' "
                             "WHERE action = 'account.modify'"))
    admin.db.dispose()
    violations, mismatches = race_mix.check(empty_pg_url)
    assert violations == [] and len(mismatches) == 1 and "'imagined'" in mismatches[0]
