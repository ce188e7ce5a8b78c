"""Property-based: hostile input to every operation gives a clear error or a correct result,
never a broken invariant or a partial write (checked after every step, on SQLite and PostgreSQL)."""

import tempfile

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from smsgw_kit import Database, GatewayAdmin, Keyring, SmsgwError
from smsgw_kit.testing.hostile import OPERATIONS, Tally, seed

SQL = ["'; DROP TABLE gateway_account; --", "\" OR 1=1 --", "Robert'); DELETE FROM identity_store;--", "%", "_", "\\"]
ODD = st.text(st.characters(codec="utf-8"), max_size=40)
HUGE = st.integers(100, 3000).map(lambda n: "Ω" * n)
TEXTS = st.one_of(ODD, HUGE, st.sampled_from(SQL), st.just(""), st.just("   "), st.just("ﷺ" * 100),
                  st.sampled_from(["Primary", "primary ", "Backup", "Ünïcødé", "Corp"]))
VALUES = st.one_of(TEXTS, st.none(), st.integers(-10**12, 10**12), st.booleans(), st.floats(allow_nan=True))
PORTS = st.one_of(st.none(), st.none(), st.integers(-10**12, 10**12), st.sampled_from([0, 1, 65535, 65536, "8080", "x", " 3128 "]), st.none())
GOOD = st.sampled_from(["key", "GroupID", "a@b.c", "CI0001", "pässwörd ✓"])
FIELD = st.one_of(GOOD, GOOD, GOOD, VALUES)  # mostly valid, so operations also succeed and state builds up
GOOD_NAMES = st.sampled_from(["Primary", "primary ", "Backup", "Ünïcødé", "Corp", "'; DROP TABLE x; --"])
NAMES = st.one_of(GOOD_NAMES, GOOD_NAMES, TEXTS)
TYPES = st.one_of(st.sampled_from(["Nexmo", "nexmo", "RedOxygen", "Bulletin.net"]), TEXTS)
SMS = st.one_of(TEXTS, TEXTS.map(lambda t: t + "[Code]"), st.just("Code: [Code]"), st.just("[Code]" * 400))
REFS = st.one_of(NAMES, NAMES, st.integers(-5, 50), st.none(), st.floats())


def snapshot(db: Database) -> list:
    with db.engine.connect() as conn:
        return [conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY id").all()
                for t in ("gateway_account", "identity_store", "audit_event")]


class Operator(RuleBasedStateMachine):
    url_factory = None

    def __init__(self):
        super().__init__()
        self.db = Database(type(self).url_factory())
        self.admin = GatewayAdmin(self.db, keyring=Keyring.from_keys(Fernet.generate_key()), actor="fuzz")

    def teardown(self):
        self.db.dispose()

    def attempt(self, call, *args, **kwargs):
        before = snapshot(self.db)
        try:
            call(*args, **kwargs)
        except SmsgwError as exc:
            assert str(exc), "errors must say something"
            assert snapshot(self.db) == before, f"{type(exc).__name__} left a partial write"

    @rule(data=st.data(), hostile=st.sampled_from([None, None, "name", "gateway_type", "user_name", "password",
                                                   "sender_id", "account_id", "proxy_host_name", "proxy_port"]),
          default=st.booleans())
    def create_account(self, data, hostile, default):
        # Valid fields but (usually) one hostile value, so both refusals and successes are exercised.
        fields = dict(name=data.draw(GOOD_NAMES), gateway_type=data.draw(st.sampled_from(["Nexmo", "nexmo", "RedOxygen"])),
                      user_name=data.draw(GOOD), password=data.draw(GOOD), sender_id=data.draw(GOOD),
                      account_id=data.draw(GOOD))
        if hostile == "proxy_port":
            fields.update(proxy_host_name="proxy.local", proxy_port=data.draw(PORTS))
        elif hostile:
            fields[hostile] = data.draw(TYPES if hostile == "gateway_type" else VALUES)
        self.attempt(self.admin.create_account, set_default=default, **fields)

    @rule(ref=REFS, field=st.sampled_from(["name", "user_name", "password", "proxy_port", "gateway_url",
                                            "gateway_type", "read_timeout", "options", "bogus"]), value=VALUES)
    def modify(self, ref, field, value):
        self.attempt(self.admin.modify_account, ref, **{field: value})

    @rule(ref=REFS)
    def set_default(self, ref):
        self.attempt(self.admin.set_default, ref)

    @rule(ref=REFS)
    def delete_account(self, ref):
        self.attempt(self.admin.delete_account, ref)

    @rule(name=NAMES, text=SMS)
    def create_store(self, name, text):
        self.attempt(self.admin.create_identity_store, name=name, sms_text=text)

    @rule(store=REFS, account=REFS)
    def link(self, store, account):
        self.attempt(self.admin.link, store, account)

    @rule(store=REFS)
    def unlink(self, store):
        self.attempt(self.admin.unlink, store)

    @rule(store=REFS, text=SMS)
    def set_text(self, store, text):
        self.attempt(self.admin.set_sms_text, store, text)

    @invariant()
    def rules_hold(self):
        with self.db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM gateway_account WHERE is_default")).scalar() <= 1
            keys = conn.execute(sa.text("SELECT name_key FROM gateway_account")).scalars().all()
            assert len(keys) == len(set(keys))
            orphans = conn.execute(sa.text(
                "SELECT count(*) FROM identity_store s LEFT JOIN gateway_account a ON a.id = s.gateway_account_id"
                " WHERE s.gateway_account_id IS NOT NULL AND a.id IS NULL")).scalar()
            assert orphans == 0
            texts = conn.execute(sa.text("SELECT sms_text FROM identity_store")).scalars().all()
            assert all("[Code]" in t for t in texts)
            ports = conn.execute(sa.text("SELECT proxy_port FROM gateway_account WHERE proxy_port IS NOT NULL")).scalars().all()
            assert all(1 <= p <= 65535 for p in ports)
            names = conn.execute(sa.text("SELECT name FROM gateway_account")).scalars().all()
            assert all(n == n.strip() and n for n in names)


FUZZ = settings(max_examples=40, stateful_step_count=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def test_hostile_input_sqlite():
    folder = tempfile.mkdtemp(prefix="smsgw-fuzz-")
    counter = iter(range(10**6))
    Operator.url_factory = staticmethod(lambda: f"sqlite:///{folder}/fuzz{next(counter)}.db")
    Operator.TestCase.settings = FUZZ
    Operator.TestCase().runTest()


@pytest.mark.postgres
def test_hostile_input_postgres(pg_database_url):
    def fresh():
        db = Database(pg_database_url, migrate=False)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE audit_event, connection_test_run, identity_store, gateway_account RESTART IDENTITY CASCADE")
        db.dispose()
        return pg_database_url

    Operator.url_factory = staticmethod(fresh)
    Operator.TestCase.settings = settings(FUZZ, max_examples=20)
    Operator.TestCase().runTest()


# Every public function, hostile values in every parameter: only SmsgwError, and a refusal changes nothing.
# Each example calls every operation once, in a drawn order, on one database that keeps its state.
@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_public_function_answers_hostile_input(admin, data):
    seed(admin)
    tally = Tally()
    for operation in data.draw(st.permutations(sorted(OPERATIONS))):
        tally.attempt(admin, operation, data.draw)
    assert tally.undeclared == [], tally.undeclared
    assert tally.partial_writes == [], tally.partial_writes
    assert tally.calls == len(OPERATIONS)
