"""SQLModel tables and public shapes: gateway accounts, identity stores, test runs, audit events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

NAME_MAX = 128
TEXT_MAX = 1000
URL_MAX = 2048
SHORT_MAX = 256


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always handed back timezone-aware (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


# Who changed a row and when; shared by accounts and identity stores.
class Stamped(SQLModel):
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _ts(default_factory=utcnow, nullable=False)
    created_by: str = Field(max_length=SHORT_MAX)
    updated_at: datetime = _ts(default_factory=utcnow, nullable=False)
    updated_by: str = Field(max_length=SHORT_MAX)


# An SMS gateway account: provider credentials (secrets encrypted), optional proxy, default flag.
class GatewayAccount(Stamped, table=True):
    __tablename__ = "gateway_account"
    __table_args__ = (
        sa.UniqueConstraint("name_key", name="uq_gateway_account_name_key"),
        sa.Index(
            "uq_gateway_account_one_default", "is_default", unique=True,
            sqlite_where=sa.text("is_default = 1"), postgresql_where=sa.text("is_default"),
        ),
        sa.CheckConstraint(
            "proxy_port IS NULL OR (proxy_port >= 1 AND proxy_port <= 65535)",
            name="ck_gateway_account_proxy_port",
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name="ck_gateway_account_name_not_blank"),
        sa.CheckConstraint("connect_timeout > 0 AND read_timeout > 0", name="ck_gateway_account_timeouts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_MAX * 4)
    gateway_type: str = Field(max_length=SHORT_MAX)
    gateway_url: str = Field(default="", max_length=URL_MAX)
    account_id: str | None = Field(default=None, max_length=SHORT_MAX)
    user_name: str | None = Field(default=None, max_length=SHORT_MAX)
    password_enc: str | None = Field(default=None, sa_type=sa.Text)
    sender_id: str | None = Field(default=None, max_length=SHORT_MAX)
    proxy_user_name: str | None = Field(default=None, max_length=SHORT_MAX)
    proxy_password_enc: str | None = Field(default=None, sa_type=sa.Text)
    proxy_description: str | None = Field(default=None, max_length=TEXT_MAX)
    proxy_domain: str | None = Field(default=None, max_length=SHORT_MAX)
    proxy_host_name: str | None = Field(default=None, max_length=SHORT_MAX)
    proxy_port: int | None = Field(default=None)
    connect_timeout: float = Field(default=5.0, nullable=False)
    read_timeout: float = Field(default=15.0, nullable=False)
    ca_bundle: str | None = Field(default=None, max_length=URL_MAX)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    options_enc: str | None = Field(default=None, sa_type=sa.Text)  # the options declared secret, encrypted
    is_default: bool = Field(default=False, nullable=False)


# An identity store (directory) that texts codes through at most one gateway account.
class IdentityStore(Stamped, table=True):
    __tablename__ = "identity_store"
    __table_args__ = (
        sa.UniqueConstraint("name_key", name="uq_identity_store_name_key"),
        sa.CheckConstraint(
            "replace(sms_text, '[Code]', '') <> sms_text", name="ck_identity_store_sms_text_has_code"
        ),
        sa.CheckConstraint(
            "(gateway_account_id IS NULL AND link_source IS NULL) OR "
            "(gateway_account_id IS NOT NULL AND link_source IN ('default', 'manual'))",
            name="ck_identity_store_link_source",
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name="ck_identity_store_name_not_blank"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_MAX * 4)
    store_type: str = Field(default="Active Directory", max_length=SHORT_MAX)
    gateway_account_id: int | None = Field(
        default=None, foreign_key="gateway_account.id", ondelete="RESTRICT", index=True
    )
    link_source: str | None = Field(default=None, max_length=16)
    sms_text: str = Field(max_length=TEXT_MAX)


# One Test Connection run, kept after its account is deleted (the link is then cleared).
class ConnectionTestRun(SQLModel, table=True):
    __tablename__ = "connection_test_run"

    id: int | None = Field(default=None, primary_key=True)
    gateway_account_id: int | None = Field(
        default=None, foreign_key="gateway_account.id", ondelete="SET NULL", index=True
    )
    account_name: str = Field(max_length=NAME_MAX)
    gateway_type: str = Field(max_length=SHORT_MAX)
    phone: str | None = Field(default=None, max_length=32)
    started_at: datetime = _ts(default_factory=utcnow, nullable=False, index=True)
    duration_ms: float = Field(default=0.0, nullable=False)
    outcome: str = Field(max_length=16)
    summary: str = Field(default="", sa_type=sa.Text)
    stages: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    message_id: str | None = Field(default=None, max_length=SHORT_MAX)
    run_by: str = Field(max_length=SHORT_MAX)


# One change made through the service: who, when, what, and values before/after (secrets masked).
class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(default_factory=utcnow, nullable=False, index=True)
    actor: str = Field(max_length=SHORT_MAX)
    action: str = Field(max_length=64, index=True)
    object_kind: str = Field(max_length=32)
    object_id: int | None = Field(default=None)
    object_name: str | None = Field(default=None, max_length=NAME_MAX)
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # The database's own login (PostgreSQL sets it by trigger; the client cannot choose it).
    db_user: str | None = Field(default=None, max_length=SHORT_MAX)
    # SHA-256 over the previous event's hash and this event's content: the tamper-evident chain.
    # prev_hash is unique: two events can never follow the same event, so the chain cannot fork.
    prev_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    hash: str | None = Field(default=None, max_length=64)


# A key the database's secrets have been under: its fingerprint only, never the key itself.
class SecretKey(SQLModel, table=True):
    __tablename__ = "secret_key"
    __table_args__ = (
        sa.Index("uq_secret_key_one_current", "is_current", unique=True,
                 sqlite_where=sa.text("is_current = 1"), postgresql_where=sa.text("is_current")),
    )

    fingerprint: str = Field(primary_key=True, max_length=64)
    is_current: bool = Field(default=True, nullable=False)
    since: datetime = _ts(default_factory=utcnow, nullable=False)
    recorded_by: str = Field(max_length=SHORT_MAX)
    retired_at: datetime | None = _ts(default=None, nullable=True)


# --- Routing and failover (issue 12): fallbacks, country routes, delivery log, routing settings ---

# One fallback account of an identity store, tried (in `position` order) after its route and link.
class StoreFallback(SQLModel, table=True):
    __tablename__ = "store_fallback"
    __table_args__ = (
        sa.UniqueConstraint("identity_store_id", "gateway_account_id", name="uq_store_fallback_account"),
        sa.UniqueConstraint("identity_store_id", "position", name="uq_store_fallback_position"),
        sa.CheckConstraint("position >= 0", name="ck_store_fallback_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identity_store_id: int = Field(foreign_key="identity_store.id", ondelete="CASCADE", index=True)
    gateway_account_id: int = Field(foreign_key="gateway_account.id", ondelete="RESTRICT", index=True)
    position: int = Field(nullable=False)


# A country route of an identity store: numbers of one calling code (or one region) go first
# through this account. A region (e.g. CA) is more specific than its calling code (1).
class StoreRoute(SQLModel, table=True):
    __tablename__ = "store_route"
    __table_args__ = (
        sa.UniqueConstraint("identity_store_id", "calling_code", name="uq_store_route_calling_code"),
        sa.UniqueConstraint("identity_store_id", "region", name="uq_store_route_region"),
        sa.CheckConstraint(
            "(calling_code IS NULL) <> (region IS NULL)", name="ck_store_route_one_key"
        ),
        sa.CheckConstraint(
            "calling_code IS NULL OR (calling_code >= 1 AND calling_code <= 999)",
            name="ck_store_route_calling_code",
        ),
        sa.CheckConstraint("region IS NULL OR length(region) = 2", name="ck_store_route_region"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identity_store_id: int = Field(foreign_key="identity_store.id", ondelete="CASCADE", index=True)
    gateway_account_id: int = Field(foreign_key="gateway_account.id", ondelete="RESTRICT", index=True)
    calling_code: int | None = Field(default=None)
    region: str | None = Field(default=None, max_length=2)


# One attempt of one send_code call through one account (the code itself is never stored, and the
# number only masked). Kept after the store or account is deleted (the links are then cleared).
class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    send_id: str = Field(max_length=32, index=True)
    attempt: int = Field(nullable=False)
    at: datetime = _ts(default_factory=utcnow, nullable=False, index=True)
    identity_store_id: int | None = Field(
        default=None, foreign_key="identity_store.id", ondelete="SET NULL", index=True
    )
    store_name: str = Field(max_length=NAME_MAX)
    gateway_account_id: int | None = Field(
        default=None, foreign_key="gateway_account.id", ondelete="SET NULL", index=True
    )
    account_name: str = Field(max_length=NAME_MAX)
    gateway_type: str = Field(max_length=SHORT_MAX)
    role: str = Field(max_length=64)
    phone_masked: str = Field(max_length=32)
    country: str | None = Field(default=None, max_length=8)
    stage: str = Field(max_length=16)
    outcome: str = Field(max_length=16, index=True)
    reason: str = Field(default="", sa_type=sa.Text)
    duration_ms: float = Field(default=0.0, nullable=False)
    message_id: str | None = Field(default=None, max_length=SHORT_MAX)
    delivery_status: str | None = Field(default=None, max_length=16)
    delivery_reason: str | None = Field(default=None, sa_type=sa.Text)
    status_checked_at: datetime | None = _ts(default=None, nullable=True)
    run_by: str = Field(max_length=SHORT_MAX)


# The routing settings of this database (one row): failure cool-down and delivery-log retention.
class RoutingSettings(SQLModel, table=True):
    __tablename__ = "routing_settings"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="ck_routing_settings_one_row"),
        sa.CheckConstraint("cooldown_seconds >= 0", name="ck_routing_settings_cooldown"),
        sa.CheckConstraint("retention_days >= 1", name="ck_routing_settings_retention"),
    )

    id: int = Field(default=1, primary_key=True)
    cooldown_seconds: float = Field(default=300.0, nullable=False)
    retention_days: int = Field(default=90, nullable=False)


# --- end of routing and failover block ---


STAMP_FIELDS = ("version", "created_at", "created_by", "updated_at", "updated_by")


def _repr_stamps_last(self: Stamped):
    items = list(SQLModel.__repr_args__(self))
    return [i for i in items if i[0] not in STAMP_FIELDS] + [i for i in items if i[0] in STAMP_FIELDS]


# What callers see of an account: everything but the secrets, which show only as set / not set.
class GatewayAccountPublic(Stamped):
    id: int
    name: str
    gateway_type: str
    gateway_url: str
    account_id: str | None
    user_name: str | None
    password_set: bool
    sender_id: str | None
    proxy_user_name: str | None
    proxy_password_set: bool
    proxy_description: str | None
    proxy_domain: str | None
    proxy_host_name: str | None
    proxy_port: int | None
    connect_timeout: float
    read_timeout: float
    ca_bundle: str | None
    options: dict[str, Any]
    is_default: bool

    __repr_args__ = _repr_stamps_last

    @classmethod
    def of(cls, row: GatewayAccount) -> GatewayAccountPublic:
        data = row.model_dump(exclude={"password_enc", "proxy_password_enc", "options_enc", "name_key"})
        if "password_enc" in sa.inspect(row).unloaded:  # a read-only session: ask the database which are set
            from .keystore import SECRET_STATE as v

            state = sa.inspect(row).session.execute(
                sa.select(v.c.password_set, v.c.proxy_password_set).where(v.c.id == row.id)).one()
            return cls(**data, password_set=bool(state[0]), proxy_password_set=bool(state[1]))
        return cls(**data, password_set=bool(row.password_enc), proxy_password_set=bool(row.proxy_password_enc))


# What callers see of an identity store, with the linked account's name.
class IdentityStorePublic(Stamped):
    id: int
    name: str
    store_type: str
    gateway_account_id: int | None
    gateway_account_name: str | None
    link_source: str | None
    sms_text: str
    notice: str | None = None  # what the operator should know about this result (e.g. no default account)

    __repr_args__ = _repr_stamps_last

    @classmethod
    def of(cls, row: IdentityStore, account_name: str | None, notice: str | None = None) -> IdentityStorePublic:
        return cls(**row.model_dump(exclude={"name_key"}), gateway_account_name=account_name, notice=notice)


# What delete_account reports: which account is gone and what the operator should know about it.
class AccountDeleted(SQLModel):
    id: int
    name: str
    was_default: bool
    notice: str | None = None
