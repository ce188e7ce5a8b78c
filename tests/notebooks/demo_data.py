"""Demo data the notebooks run against in tests: accounts on the emulator, stores, tests and changes over a fortnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.audit import rechain
from smsgw_kit.models import (
    AuditEvent,
    ConnectionTestRun,
    GatewayAccount,
    IdentityStore,
)
from smsgw_kit.testing import ProviderEmulator

PHONE = "447079692712"
# The names the runbooks' default parameters use.
ACCOUNTS = {"Primary": "Nexmo", "Backup": "Twilio", "Legacy": "Clickatell", "Bulk": "Bulletin.net"}
STORES = ("Corp AD", "Partners LDAP", "Retail AD", "Lab AD")


def seed(database_url: str, keyring: Keyring, emu: ProviderEmulator, *, days: int = 14) -> None:
    """Two operators set up four accounts and four stores, test them (some fail), change defaults."""
    db = Database(database_url)
    alice = GatewayAdmin(db, keyring=keyring, actor="alice")
    bob = GatewayAdmin(db, keyring=keyring, actor="bob")
    try:
        bob.create_account(name="Legacy", gateway_type="Clickatell", set_default=True,
                           **emu.account_settings("Clickatell"))
        bob.create_identity_store(name="Partners LDAP", store_type="LDAP")
        bob.create_identity_store(name="Retail AD")
        bob.test_connection("Legacy", PHONE)
        alice.create_account(name="Primary", gateway_type="Nexmo", **emu.account_settings("Nexmo"))
        alice.create_account(name="Backup", gateway_type="Twilio", **emu.account_settings("Twilio"))
        alice.test_connection("Primary", PHONE)
        alice.set_default("Primary")
        alice.create_identity_store(name="Corp AD")
        alice.create_identity_store(name="Lab AD")
        alice.unlink("Lab AD")
        emu.inject("Twilio", error="21610", count=1)
        alice.test_connection("Backup", PHONE)
        alice.modify_account("Backup", password=emu.account_settings("Twilio")["password"])  # a rotation
        alice.test_connection("Backup", PHONE)
        bob.create_account(name="Bulk", gateway_type="Bulletin.net", **emu.account_settings("Bulletin.net"))
        bob.set_sms_text("Retail AD", "Your Retail sign-in code: [Code]")
        emu.inject("Clickatell", error="105", count=1)
        bob.test_connection("Legacy", PHONE)
        alice.test_connection("Primary", PHONE)
        _spread_over(db, days)
    finally:
        db.dispose()


def _spread_over(db: Database, days: int) -> None:
    """Move every event into the past `days` days, in order, so the history reads like real use."""
    events = sa.union_all(
        sa.select(sa.literal("audit").label("kind"), AuditEvent.id, AuditEvent.at.label("at")),
        sa.select(sa.literal("test").label("kind"), ConnectionTestRun.id, ConnectionTestRun.started_at.label("at")),
    ).subquery()
    audit, tests = AuditEvent.__table__, ConnectionTestRun.__table__
    with db.engine.begin() as conn:
        rows = conn.execute(sa.select(events).order_by(events.c.at, events.c.kind, events.c.id)).all()
        start = datetime.now(UTC) - timedelta(days=days)
        step = timedelta(days=days) / max(len(rows), 1)
        for i, (kind, row_id, _) in enumerate(rows):
            when = start + step * i
            if kind == "audit":
                conn.execute(audit.update().where(audit.c.id == row_id).values(at=when))
            else:
                conn.execute(tests.update().where(tests.c.id == row_id).values(started_at=when))
        for model, kind in ((GatewayAccount, "account"), (IdentityStore, "identity_store")):
            table = model.__table__
            span = (sa.select(sa.func.min(audit.c.at), sa.func.max(audit.c.at))
                    .where(audit.c.object_kind == kind, audit.c.object_id == table.c.id))
            for row_id, in conn.execute(sa.select(table.c.id)).all():
                first, last = conn.execute(span.where(table.c.id == row_id)).one()
                conn.execute(table.update().where(table.c.id == row_id).values(created_at=first, updated_at=last))
        rechain(conn)  # the back-dated events are sealed again, as if recorded at those times


def seed_creations(database_url: str, keyring: Keyring, emu: ProviderEmulator) -> None:
    """Only creations: the demo's accounts and stores made, nothing edited, tested or made the default."""
    db = Database(database_url)
    admin = GatewayAdmin(db, keyring=keyring, actor="alice")
    try:
        for name, gateway_type in ACCOUNTS.items():
            admin.create_account(name=name, gateway_type=gateway_type, **emu.account_settings(gateway_type))
        for name in STORES:
            admin.create_identity_store(name=name)
    finally:
        db.dispose()
