"""secrets and trust: key fingerprints, secret options, audit hash chain and database actor

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import smsgw_kit.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Which secrets an account has, without the ciphertext: what auditors may read instead of the columns.
SECRET_STATE_VIEW = """
CREATE VIEW gateway_account_secret_state AS
SELECT id,
       CASE WHEN password_enc IS NULL THEN 0 ELSE 1 END AS password_set,
       CASE WHEN proxy_password_enc IS NULL THEN 0 ELSE 1 END AS proxy_password_set,
       CASE WHEN options_enc IS NULL THEN 0 ELSE 1 END AS secret_options_set
FROM gateway_account
"""

# On PostgreSQL the database, not the client, says who is logged in.
DB_USER_TRIGGER = """
CREATE OR REPLACE FUNCTION smsgw_audit_db_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.db_user := session_user;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_event_db_user BEFORE INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION smsgw_audit_db_user();
"""


def upgrade() -> None:
    op.create_table(
        "secret_key",
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("since", smsgw_kit.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("retired_at", smsgw_kit.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("fingerprint"),
    )
    with op.batch_alter_table("secret_key", schema=None) as batch_op:
        batch_op.create_index("uq_secret_key_one_current", ["is_current"], unique=True,
                              sqlite_where=sa.text("is_current = 1"), postgresql_where=sa.text("is_current"))
    with op.batch_alter_table("gateway_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("options_enc", sa.Text(), nullable=True))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("db_user", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_event_prev_hash"), ["prev_hash"], unique=True)
    _chain_existing_events()
    op.execute(SECRET_STATE_VIEW)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DB_USER_TRIGGER)


def _chain_existing_events() -> None:
    """Events recorded before the chain existed are chained now, in id order."""
    from smsgw_kit.audit import rechain

    rechain(op.get_bind())


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS gateway_account_secret_state")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_db_user ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS smsgw_audit_db_user()")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_prev_hash"))
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("db_user")
    with op.batch_alter_table("gateway_account", schema=None) as batch_op:
        batch_op.drop_column("options_enc")
    with op.batch_alter_table("secret_key", schema=None) as batch_op:
        batch_op.drop_index("uq_secret_key_one_current", sqlite_where=sa.text("is_current = 1"),
                            postgresql_where=sa.text("is_current"))
    op.drop_table("secret_key")
