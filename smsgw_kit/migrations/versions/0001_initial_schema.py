"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import smsgw_kit.models

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', smsgw_kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('object_kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('object_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('gateway_account',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', smsgw_kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('updated_at', smsgw_kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('gateway_type', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('gateway_url', sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
    sa.Column('account_id', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('user_name', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('password_enc', sa.Text(), nullable=True),
    sa.Column('sender_id', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('proxy_user_name', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('proxy_password_enc', sa.Text(), nullable=True),
    sa.Column('proxy_description', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('proxy_domain', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('proxy_host_name', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('proxy_port', sa.Integer(), nullable=True),
    sa.Column('connect_timeout', sa.Float(), nullable=False),
    sa.Column('read_timeout', sa.Float(), nullable=False),
    sa.Column('ca_bundle', sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.CheckConstraint('connect_timeout > 0 AND read_timeout > 0', name='ck_gateway_account_timeouts'),
    sa.CheckConstraint('length(trim(name)) > 0', name='ck_gateway_account_name_not_blank'),
    sa.CheckConstraint('proxy_port IS NULL OR (proxy_port >= 1 AND proxy_port <= 65535)', name='ck_gateway_account_proxy_port'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key', name='uq_gateway_account_name_key')
    )
    with op.batch_alter_table('gateway_account', schema=None) as batch_op:
        batch_op.create_index('uq_gateway_account_one_default', ['is_default'], unique=True, sqlite_where=sa.text('is_default = 1'), postgresql_where=sa.text('is_default'))

    op.create_table('connection_test_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gateway_account_id', sa.Integer(), nullable=True),
    sa.Column('account_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('gateway_type', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('started_at', smsgw_kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Float(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('run_by', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.ForeignKeyConstraint(['gateway_account_id'], ['gateway_account.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('connection_test_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_connection_test_run_gateway_account_id'), ['gateway_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_connection_test_run_started_at'), ['started_at'], unique=False)

    op.create_table('identity_store',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', smsgw_kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('updated_at', smsgw_kit.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('store_type', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('gateway_account_id', sa.Integer(), nullable=True),
    sa.Column('link_source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('sms_text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.CheckConstraint("(gateway_account_id IS NULL AND link_source IS NULL) OR (gateway_account_id IS NOT NULL AND link_source IN ('default', 'manual'))", name='ck_identity_store_link_source'),
    sa.CheckConstraint("replace(sms_text, '[Code]', '') <> sms_text", name='ck_identity_store_sms_text_has_code'),
    sa.CheckConstraint('length(trim(name)) > 0', name='ck_identity_store_name_not_blank'),
    sa.ForeignKeyConstraint(['gateway_account_id'], ['gateway_account.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key', name='uq_identity_store_name_key')
    )
    with op.batch_alter_table('identity_store', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_store_gateway_account_id'), ['gateway_account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('identity_store', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_store_gateway_account_id'))

    op.drop_table('identity_store')
    with op.batch_alter_table('connection_test_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_connection_test_run_started_at'))
        batch_op.drop_index(batch_op.f('ix_connection_test_run_gateway_account_id'))

    op.drop_table('connection_test_run')
    with op.batch_alter_table('gateway_account', schema=None) as batch_op:
        batch_op.drop_index('uq_gateway_account_one_default', sqlite_where=sa.text('is_default = 1'), postgresql_where=sa.text('is_default'))

    op.drop_table('gateway_account')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
