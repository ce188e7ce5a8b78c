"""routing and failover: store fallbacks, country routes, the delivery log, routing settings

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import smsgw_kit.models

revision = '0006'
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('routing_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooldown_seconds', sa.Float(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.CheckConstraint('cooldown_seconds >= 0', name='ck_routing_settings_cooldown'),
    sa.CheckConstraint('id = 1', name='ck_routing_settings_one_row'),
    sa.CheckConstraint('retention_days >= 1', name='ck_routing_settings_retention'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('delivery_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('send_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('at', smsgw_kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('identity_store_id', sa.Integer(), nullable=True),
    sa.Column('store_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('gateway_account_id', sa.Integer(), nullable=True),
    sa.Column('account_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('gateway_type', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('phone_masked', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('duration_ms', sa.Float(), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('delivery_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('delivery_reason', sa.Text(), nullable=True),
    sa.Column('status_checked_at', smsgw_kit.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('run_by', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.ForeignKeyConstraint(['gateway_account_id'], ['gateway_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['identity_store_id'], ['identity_store.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_attempt_gateway_account_id'), ['gateway_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_attempt_identity_store_id'), ['identity_store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_attempt_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_attempt_send_id'), ['send_id'], unique=False)

    op.create_table('store_fallback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identity_store_id', sa.Integer(), nullable=False),
    sa.Column('gateway_account_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('position >= 0', name='ck_store_fallback_position'),
    sa.ForeignKeyConstraint(['gateway_account_id'], ['gateway_account.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['identity_store_id'], ['identity_store.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('identity_store_id', 'gateway_account_id', name='uq_store_fallback_account'),
    sa.UniqueConstraint('identity_store_id', 'position', name='uq_store_fallback_position')
    )
    with op.batch_alter_table('store_fallback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_fallback_gateway_account_id'), ['gateway_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_store_fallback_identity_store_id'), ['identity_store_id'], unique=False)

    op.create_table('store_route',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identity_store_id', sa.Integer(), nullable=False),
    sa.Column('gateway_account_id', sa.Integer(), nullable=False),
    sa.Column('calling_code', sa.Integer(), nullable=True),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.CheckConstraint('(calling_code IS NULL) <> (region IS NULL)', name='ck_store_route_one_key'),
    sa.CheckConstraint('calling_code IS NULL OR (calling_code >= 1 AND calling_code <= 999)', name='ck_store_route_calling_code'),
    sa.CheckConstraint('region IS NULL OR length(region) = 2', name='ck_store_route_region'),
    sa.ForeignKeyConstraint(['gateway_account_id'], ['gateway_account.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['identity_store_id'], ['identity_store.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('identity_store_id', 'calling_code', name='uq_store_route_calling_code'),
    sa.UniqueConstraint('identity_store_id', 'region', name='uq_store_route_region')
    )
    with op.batch_alter_table('store_route', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_route_gateway_account_id'), ['gateway_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_store_route_identity_store_id'), ['identity_store_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('store_route', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_route_identity_store_id'))
        batch_op.drop_index(batch_op.f('ix_store_route_gateway_account_id'))

    op.drop_table('store_route')
    with op.batch_alter_table('store_fallback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_fallback_identity_store_id'))
        batch_op.drop_index(batch_op.f('ix_store_fallback_gateway_account_id'))

    op.drop_table('store_fallback')
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_send_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_outcome'))
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_identity_store_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_gateway_account_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_at'))

    op.drop_table('delivery_attempt')
    op.drop_table('routing_settings')
