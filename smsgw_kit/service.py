"""The operator's API: every operation on accounts and stores, one transaction each, audited."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from . import (
    accounts,
    audit,
    config,
    deliveries,
    history,
    keystore,
    locks,
    routes,
    routing,
    rules,
    secret_options,
    stores,
    views,
)
from .accounts import Context
from .db import Database
from .diagnostics import ConnectionReport
from .errors import Conflict, InvalidInput, SecretsError
from .fields import FIELDS, SECRETS, GatewayAccountCreate, GatewayAccountUpdate, takes_fields
from .gateways.http import ClientPool
from .models import (
    NAME_MAX,
    AccountDeleted,
    GatewayAccount,
    GatewayAccountPublic,
    IdentityStore,
    IdentityStorePublic,
    utcnow,
)
from .rules import DEFAULT_SMS_TEXT
from .secrets import Keyring

AccountRef = int | str | GatewayAccountPublic
StoreRef = int | str | IdentityStorePublic


def _constraint_error(exc: sa.exc.IntegrityError, name: str | None) -> Exception:
    text = str(exc.orig).lower()
    if "name_key" in text:
        from .errors import DuplicateName

        kind = "identity store" if "identity_store" in text else "SMS gateway account"
        return DuplicateName(kind, name or "")
    if "one_default" in text or "is_default" in text:
        return Conflict("Another account was made the default at the same moment; try again.")
    if "proxy_port" in text:
        return InvalidInput("proxy_port", "is out of range", allowed="1 to 65535")
    if "sms_text" in text:
        return InvalidInput("sms_text", "must keep the [Code] placeholder", allowed=f"e.g. {DEFAULT_SMS_TEXT!r}")
    return Conflict(f"The change breaks a database rule and was not saved ({type(exc.orig).__name__}).")


class GatewayAdmin:
    """Create, edit, default, test, link and delete SMS gateway accounts on one database."""

    def __init__(self, database: Database | str | None = None, *, keyring: Keyring | None = None,
                 actor: str | None = None, read_only: bool = False):
        if keyring is not None and not isinstance(keyring, Keyring):
            raise InvalidInput("keyring", f"must be a Keyring, not {type(keyring).__name__}",
                               allowed="Keyring.load(), Keyring.from_keys(...) or None")
        self.actor = rules.clean_actor(audit.current_actor() if actor is None else actor)
        self.read_only = rules.clean_flag(read_only, "read_only")
        self.db = database if isinstance(database, Database) else Database(database, migrate=not read_only)
        self.keyring = keystore.connect(self.db, keyring, read_only=read_only)
        # send_code keeps its connections to the providers open between calls, as a long-running service does.
        self._clients = ClientPool(per_thread=False)
        weakref.finalize(self, self._clients.close)
        self._unlogged = deliveries.Backlog()  # log rows a failed write left, written with the next send
        weakref.finalize(self, self._unlogged.left_behind)

    def close(self) -> None:
        """Close the provider connections send_code keeps open (with no send in flight; a later send opens new
        ones), after writing any delivery log rows a failed write kept in memory."""
        deliveries.flush(self.db, self._unlogged)
        self._clients.clear()

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"GatewayAdmin({self.db.engine.url!r}, actor={self.actor!r}{mode})"

    @property
    def can_use_secrets(self) -> bool:
        """False on a read-only or keyless connection: testing, saving passwords and rotating are refused."""
        return keystore.usable(self.keyring)

    @property
    def _ctx(self) -> Context:
        return Context(actor=self.actor, keyring=self.keyring)

    @contextmanager
    def _write(self, name: str | None = None, *, rotating: bool = False) -> Iterator[Session]:
        """One write transaction; the one place where database failures become SmsgwErrors."""
        keystore.refuse_if_read_only(self.read_only)
        try:
            with self.db.transaction() as session:
                keystore.pin(session, self.keyring, actor=self.actor, exclusive=rotating)
                yield session
        except sa.exc.IntegrityError as exc:
            raise _constraint_error(exc, name) from exc
        except (sa.exc.DBAPIError, StaleDataError) as exc:  # races -> Conflict, storage trouble -> StorageError
            raise self.db.translated(exc) from exc

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self.db.reading() as conn, Session(bind=conn, info={"no_ciphertext": self.read_only}) as session:
            yield session

    # Accounts -------------------------------------------------------------------------------

    @takes_fields(GatewayAccountCreate)
    def create_account(self, *, set_default: bool = False, **fields: object) -> GatewayAccountPublic:
        """Create an account (gateway_url defaults to the type's URL); refused fields raise InvalidInput."""
        set_default = rules.clean_flag(set_default, "set_default")
        values = GatewayAccountCreate.check(fields)  # all refusals before the transaction starts
        with self._write(values["name"]) as s:
            if set_default:
                locks.take_default(s)
            row = accounts.create(s, self._ctx, fields, make_default=set_default)
            return GatewayAccountPublic.of(row)

    @takes_fields(GatewayAccountUpdate)
    def modify_account(self, account: AccountRef, *, expected_version: int | None = None,
                       clear: Iterable[str] = (), set_default: bool | None = None,
                       **changes: object) -> GatewayAccountPublic:
        """Change fields (renaming included); empty passwords keep the stored ones.

        Passing the `GatewayAccountPublic` you read earlier (or `expected_version`) turns a concurrent
        edit by someone else into a `StaleEdit` instead of a silent overwrite.
        """
        if expected_version is None and isinstance(account, GatewayAccountPublic):
            expected_version = account.version
        expected_version = rules.clean_version(expected_version)
        if set_default is not None:
            rules.clean_flag(set_default, "set_default")
        values = GatewayAccountUpdate.check(changes)
        with self._write(values.get("name")) as s:
            if set_default is not None:
                locks.take_default(s)
            row = accounts.lock(s, account, with_default=set_default is True)
            accounts.check_version(row, expected_version)
            accounts.modify(s, self._ctx, row, changes, clear=clear)
            if set_default is True:
                accounts.set_default(s, self._ctx, row)
            elif set_default is False:
                accounts.clear_default(s, self._ctx, row)
            s.flush()
            return GatewayAccountPublic.of(row)

    def set_default(self, account: AccountRef, *, expected_version: int | None = None) -> GatewayAccountPublic:
        """Make the account the default; the previous default stops being one, atomically.

        Like modify and delete, a `GatewayAccountPublic` read earlier (or `expected_version`) raises
        StaleEdit if someone else changed the account since.
        """
        if expected_version is None and isinstance(account, GatewayAccountPublic):
            expected_version = account.version
        with self._write() as s:
            locks.take_default(s)
            row = accounts.lock(s, account, with_default=True)
            accounts.check_version(row, expected_version)
            accounts.set_default(s, self._ctx, row)
            return GatewayAccountPublic.of(row)

    def clear_default(self) -> None:
        """Leave no account as the default."""
        with self._write() as s:
            accounts.clear_default(s, self._ctx)

    def delete_account(self, account: AccountRef, *, expected_version: int | None = None) -> AccountDeleted:
        """Delete an account; refused (naming the stores) while identity stores are linked to it.

        Deleting the default account leaves no default: the result's `notice` says so.
        """
        if expected_version is None and isinstance(account, GatewayAccountPublic):
            expected_version = account.version
        expected_version = rules.clean_version(expected_version)
        # The account is locked before its links are counted, so no link can sneak in before the delete.
        with self._write() as s:
            locks.take_default(s)  # deleting the default account changes the default
            row = accounts.lock(s, account, mode="delete")
            accounts.check_version(row, expected_version)
            return accounts.delete(s, self._ctx, row)

    def check_deletable(self, account: AccountRef) -> None:
        """Raise AccountLinked (naming the stores) if the account could not be deleted right now."""
        with self._read() as s:
            accounts.ensure_deletable(s, accounts.find(s, account))

    def get_account(self, account: AccountRef) -> GatewayAccountPublic:
        with self._read() as s:
            return GatewayAccountPublic.of(accounts.find(s, account))

    def list_accounts(self) -> list[GatewayAccountPublic]:
        with self._read() as s:
            rows = s.exec(select(GatewayAccount).order_by(GatewayAccount.name_key)).all()
            return [GatewayAccountPublic.of(r) for r in rows]

    def default_account(self) -> GatewayAccountPublic | None:
        with self._read() as s:
            row = accounts.current_default(s)
            return GatewayAccountPublic.of(row) if row else None

    def linked_stores(self, account: AccountRef) -> list[str]:
        with self._read() as s:
            return accounts.linked_store_names(s, accounts.find(s, account).id)

    # Identity stores ------------------------------------------------------------------------

    def create_identity_store(self, *, name: str, store_type: str = "Active Directory",
                              sms_text: str = DEFAULT_SMS_TEXT) -> IdentityStorePublic:
        """Create a store; it is linked to the current default account, if there is one (else `notice` says so)."""
        with self._write(name) as s:
            row = stores.create(s, self._ctx, name=name, store_type=store_type, sms_text=sms_text)
            notice = None if row.gateway_account_id else stores.NO_DEFAULT
            return IdentityStorePublic.of(row, stores.account_name(s, row), notice)

    def link(self, store: StoreRef, account: AccountRef) -> IdentityStorePublic:
        """Link the store to the account (a store has at most one account); the link becomes manual."""
        with self._write() as s:
            row, locked = stores.lock(s, store, account)
            target = accounts.find(s, account)
            stores.link(s, self._ctx, row, locked[target.id])  # type: ignore[index]
            return IdentityStorePublic.of(row, target.name)

    def unlink(self, store: StoreRef) -> IdentityStorePublic:
        with self._write() as s:
            row, _ = stores.lock(s, store)
            stores.unlink(s, self._ctx, row)
            return IdentityStorePublic.of(row, None)

    def set_sms_text(self, store: StoreRef, text: str) -> IdentityStorePublic:
        """Replace the store's SMS text message; it must keep the [Code] placeholder."""
        with self._write() as s:
            row, _ = stores.lock(s, store)
            stores.set_sms_text(s, self._ctx, row, text)
            return IdentityStorePublic.of(row, stores.account_name(s, row))

    def configure_sms_authentication(self, store: StoreRef, *, account: AccountRef | None,
                                     sms_text: str) -> IdentityStorePublic:
        """Save a store's SMS Authentication settings (its account, or none, and its text) at once."""
        with self._write() as s:
            row, locked = stores.lock(s, store, *([] if account is None else [account]))
            stores.set_sms_text(s, self._ctx, row, sms_text)
            if account is None:
                stores.unlink(s, self._ctx, row)
            else:
                target = locked[accounts.find(s, account).id]  # type: ignore[index]
                if row.gateway_account_id != target.id:
                    stores.link(s, self._ctx, row, target)
            return IdentityStorePublic.of(row, stores.account_name(s, row))

    def delete_identity_store(self, store: StoreRef) -> None:
        with self._write() as s:
            stores.delete(s, self._ctx, stores.lock(s, store)[0])

    def get_identity_store(self, store: StoreRef) -> IdentityStorePublic:
        with self._read() as s:
            row = stores.find(s, store)
            return IdentityStorePublic.of(row, stores.account_name(s, row))

    def list_identity_stores(self) -> list[IdentityStorePublic]:
        with self._read() as s:
            rows = s.exec(select(IdentityStore).order_by(IdentityStore.name_key)).all()
            names = dict(s.exec(select(GatewayAccount.id, GatewayAccount.name)).all())
            return [IdentityStorePublic.of(r, names.get(r.gateway_account_id)) for r in rows]

    # Views ----------------------------------------------------------------------------------

    def accounts_frame(self) -> pd.DataFrame:
        return views.accounts(self.db)

    def accounts_page(self, *, search: str | None = None, offset: int = 0,
                      limit: int = 20) -> tuple[pd.DataFrame, int]:
        """One page of the accounts view (with linked store names) matching `search`, and the match count."""
        return views.accounts_page(self.db, search=search, offset=offset, limit=limit)

    def store_links_frame(self) -> pd.DataFrame:
        return views.store_links(self.db)

    def test_history_frame(self, account: str | None = None, *, run_by: str | None = None,
                           outcome: str | None = None, since: datetime | None = None,
                           until: datetime | None = None) -> pd.DataFrame:
        """Test Connection runs, newest first, filtered by account name, who ran them, outcome and when."""
        return views.test_history(self.db, account=account, run_by=run_by, outcome=outcome, since=since, until=until)

    def audit_frame(self, *, actor: str | None = None, action: str | None = None, object_name: str | None = None,
                    since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
        """The audit trail, newest first, filtered by who, what (action prefix), which object and when."""
        return views.audit_events(self.db, actor=actor, action=action, object_name=object_name,
                                  since=since, until=until)

    def data_version(self) -> tuple[int, int]:
        """Changes whenever anyone changes an account or store or runs a test (for pages to refresh)."""
        return views.data_version(self.db)

    # Keys -----------------------------------------------------------------------------------

    def rotate_encryption_key(self, *, new_key: str | None = None, retire_old_keys: bool = True) -> int:
        """Re-encrypt every stored secret under a new key; returns how many secrets were re-encrypted.

        The new key is saved beside the old ones before anything is re-encrypted, so a crash at any
        point leaves every secret readable; the database records the new key's fingerprint as current
        in the same transaction. Keys from SMSGW_KIT_SECRET_KEYS cannot be written: put the new key
        first there, then call this without `new_key` to re-encrypt under it.
        """
        old_ring = keystore.require(self.keyring)
        ring = keystore.next_keyring(old_ring, new_key)
        old = tuple(f for f in (*old_ring.fingerprints, *ring.fingerprints) if f != ring.current)
        if ring.source == "file":
            ring.save()
        with self._write(rotating=True) as s:
            count = keystore.rotate(s, old_ring, ring, actor=self.actor)
            audit.record(s, actor=self.actor, action="keys.rotate", row=None, object_kind="keys",
                         object_name=ring.source, before={"key": old_ring.current},
                         after={"key": ring.current, "secrets_reencrypted": count,
                                "keys_kept": 1 if retire_old_keys else ring.key_count})
        self.keyring = ring.retired() if retire_old_keys else ring
        if retire_old_keys and ring.source == "file":
            self.keyring.save(drop=keystore.retired_among(self.db, old))
        return count

    # Configuration as code (smsgw_kit.config) ------------------------------------------------

    def export_config(self, *, secrets: str = "env", env_prefix: str = "SMSGW_") -> dict[str, Any]:
        """Accounts, identity stores, links and the default as a document; secrets as `env:` references
        (`secrets="env"`) or left out (`secrets="omit"`). Write it with `config.to_yaml` / `to_json`."""
        with self._read() as s:
            return config.export(s, secrets=secrets, env_prefix=env_prefix)

    def plan(self, document: Any) -> config.Plan:
        """What applying the document (dict, .yaml/.json path, or text) would change; nothing is written."""
        with self._read() as s:
            return config.plan_document(s, self.keyring, document)

    def plan_from_frame(self, frame: pd.DataFrame, *, delete_missing: bool = False) -> config.Plan:
        """A plan from an edited `accounts_frame()` (rows matched by id, so renames work)."""
        with self._read() as s:
            return config.plan_frame(s, self.keyring, frame, delete_missing=delete_missing)

    def apply(self, plan: config.Plan) -> dict[str, int]:
        """Apply a plan in one transaction, all or nothing; StaleEdit if what it touches moved since."""
        if not isinstance(plan, config.Plan):
            raise InvalidInput("plan", f"must be a Plan, not {type(plan).__name__}", allowed="admin.plan(document)")
        with self._write() as s:
            counts = dict(config.apply_plan(s, self._ctx, plan))
        plan.applied_at = utcnow()  # committed
        return counts

    def verify_audit(self) -> audit.AuditCheck:
        """Check the audit trail's hash chain: an AuditCheck, naming the first altered, removed or reordered event."""
        with self.db.reading() as conn:
            return audit.verify(conn)

    # Routing and failover (issue 12) ----------------------------------------------------------

    def set_fallbacks(self, store: StoreRef, fallback_accounts: Iterable[AccountRef]) -> list[str]:
        """Replace the store's fallback accounts, tried in this order after its route and linked account."""
        fallback_accounts = routes.fallback_refs(fallback_accounts)
        with self._write() as s:
            row, _ = stores.lock(s, store, *fallback_accounts)  # accounts before the store: the lock order
            chosen = [accounts.find(s, a) for a in fallback_accounts]
            routes.set_fallbacks(s, self._ctx, row, chosen)
            return [a.name for a in chosen]

    def set_route(self, store: StoreRef, country: str | int, account: AccountRef) -> None:
        """Numbers of `country` (a calling code like 44 or a region like CA) go first through `account`."""
        with self._write() as s:
            row, _ = stores.lock(s, store, account)
            routes.set_route(s, self._ctx, row, routes.parse_country(country), accounts.find(s, account))

    def remove_route(self, store: StoreRef, country: str | int) -> None:
        with self._write() as s:
            routes.remove_route(s, self._ctx, stores.lock(s, store)[0], routes.parse_country(country))

    def store_routing(self, store: StoreRef) -> routes.StoreRouting:
        """The store's linked account, fallbacks (in order) and country routes."""
        with self._read() as s:
            return routes.describe(s, stores.find(s, store))

    def account_uses(self, account: AccountRef) -> list[tuple[str, str]]:
        """Every (identity store, role) the account serves in: linked, fallback, route for +44."""
        with self._read() as s:
            return routes.uses(s, cast(int, accounts.find(s, account).id))

    def routes_frame(self) -> pd.DataFrame:
        """One row per store and account role (linked, route, fallback) in the order they are tried."""
        with self._read() as s:
            return routes.frame(s)

    def route_preview(self, store: StoreRef, phone: str) -> list[routing.Candidate]:
        """The accounts a code to `phone` would be tried through, in order, and why; nothing is sent."""
        with self.db.reading() as conn:
            return routing.preview(conn, store, phone)

    def send_code(self, store: StoreRef, phone: str, code: str | None = None) -> routing.DeliveryReport:
        """Text the store's SMS with `[Code]` (a fresh 6-digit code unless given; it is in the report)."""
        keystore.refuse_if_read_only(self.read_only)  # the attempts could not be logged: send nothing
        job = self.db.read(lambda conn: routing.prepare(conn, self._ctx, store, phone, code), autocommit=True)
        report = routing.send(job, self._clients)
        problem = deliveries.record(self.db, report, store_id=job.store_id, actor=self.actor, backlog=self._unlogged)
        return report if problem is None else routing.unlogged(report, problem)

    @property
    def unlogged_attempts(self) -> int:
        """send_code attempts a failed log write keeps in memory until the next send (or look at the log) writes them."""
        return len(self._unlogged)

    def delivery_status(self, report: routing.DeliveryReport | str):
        """delivered / undelivered (provider's reason) / pending / unsupported / unknown, kept in the log."""
        deliveries.flush(self.db, self._unlogged)  # a send whose log write failed is asked about next
        with self._read() as s:
            query = deliveries.status_query(s, report, self.keyring)
        status = deliveries.ask_provider(query)
        with self._write() as s:
            deliveries.keep_status(s, query.message_id, status)
        return status

    def deliveries_frame(self, *, store: str | None = None, since: datetime | None = None, outcome: str | None = None,
                         limit: int = 1000) -> pd.DataFrame:
        """Every send_code attempt, newest first (numbers masked), of `store`, since a moment, with an outcome."""
        deliveries.flush(self.db, self._unlogged)  # attempts a failed log write kept in memory, first
        return deliveries.frame(self.db, store=store, since=since, outcome=outcome, limit=limit)

    def deliveries_summary(self, *, hours: float = 24) -> pd.DataFrame:
        """Per account over the last `hours`: attempts, sent, not sent, may have been sent, last failure."""
        deliveries.flush(self.db, self._unlogged)
        return deliveries.summary(self.db, hours=hours)

    def purge_deliveries(self, *, older_than_days: int | None = None) -> int:
        """Delete delivery log entries older than the retention setting (or `older_than_days`)."""
        with self._write() as s:
            return deliveries.purge(s, self._ctx, older_than_days=older_than_days)

    def routing_settings(self) -> dict[str, Any]:
        with self._read() as s:
            return routing.settings(s).model_dump(exclude={"id"})

    def set_routing_settings(self, *, cooldown_seconds: float | None = None,
                             retention_days: int | None = None) -> dict[str, Any]:
        """Change the failure cool-down (seconds) and the delivery log retention (days)."""
        with self._write() as s:
            return routing.change_settings(s, self._ctx, cooldown_seconds=cooldown_seconds,
                                           retention_days=retention_days).model_dump(exclude={"id"})

    # Test Connection ------------------------------------------------------------------------

    def test_connection(self, account: AccountRef, phone: str | None = None, *, message: str | None = None,
                        wait_delivered: float | None = None, **delivered_options: Any) -> ConnectionReport:
        """Run Test Connection on a saved account; the report is stored in the test history.

        `wait_delivered` (seconds) adds the Delivered stage: the provider is asked until the test
        message is delivered or undelivered, or the time is up (`on_progress`, `cancel` as in
        `delivered.wait_delivered`); "unsupported" where the provider offers no way to ask.
        """
        from .delivered import add_delivered_stage
        from .diagnostics import run_connection_test

        keystore.require(self.keyring)
        with self._read() as s:
            row = accounts.find(s, account)
            settings = accounts.settings_of(row, self.keyring)
            account_id, name, gateway_type = row.id, row.name, row.gateway_type
        report = run_connection_test(gateway_type, settings, phone, message=message)
        report = add_delivered_stage(report, gateway_type, settings, limit=wait_delivered, **delivered_options)
        self._store_tests([(account_id, name, report)])
        return report

    @takes_fields(GatewayAccountUpdate)
    def test_settings(self, *, gateway_type: str | None = None, phone: str | None = None,
                      account: AccountRef | None = None, name: str | None = None, message: str | None = None,
                      **fields: object) -> ConnectionReport:
        """Run Test Connection on unsaved values: a form's values, or a saved `account` with `fields`
        changed (empty secrets keep the stored ones). Nothing is saved but the test history entry."""
        from .diagnostics import run_connection_test
        from .gateways import get_gateway_type

        keystore.require(self.keyring)
        if "name" in fields:
            raise InvalidInput("name", "is given twice", allowed="the run's label once, as name=...")
        name = rules.clean_text(name, "name", max_len=NAME_MAX)
        values = accounts.clean_fields({**({"gateway_type": gateway_type} if gateway_type else {}), **fields})
        base: dict[str, Any] = {}
        if account is not None:
            with self._read() as s:
                row = accounts.find(s, account)
                base = {k: getattr(row, k) for k in FIELDS if k != "name" and k not in SECRETS}
                base.update({k: self.keyring.decrypt(getattr(row, c)) for k, c in SECRETS.items()})
                base["secret_options"] = secret_options.unseal(self.keyring, row.options_enc)
                name = name or row.name
        values = {**base, **{k: v for k, v in values.items() if not (k in SECRETS and v is None)}}
        if not values.get("gateway_type"):
            raise InvalidInput("gateway_type", "is required", allowed="a registered gateway type")
        if not fields.get("gateway_url") and (not values.get("gateway_url") or values["gateway_type"] != base.get("gateway_type")):
            values["gateway_url"] = get_gateway_type(values["gateway_type"]).info.default_url
        settings = accounts.build_settings(values)
        report = run_connection_test(values["gateway_type"], settings, phone, message=message)
        label = (name or "")[:100] or "(unsaved settings)"
        self._store_tests([(None, label, report)])
        return report

    def verify_secrets(self) -> int:
        """Decrypt every stored secret (no network); the count, or SecretsError naming the accounts."""
        keystore.require(self.keyring)
        failed, count = [], 0
        with self._read() as s:
            for row in s.exec(select(GatewayAccount).order_by(GatewayAccount.name_key)).all():
                try:
                    count += sum(self.keyring.decrypt(getattr(row, c)) is not None for c in keystore.ENC_COLUMNS)
                except SecretsError:
                    failed.append(row.name)
        if failed:
            raise SecretsError(f"The secrets of {len(failed)} account(s) cannot be decrypted with the "
                               f"available keys: {', '.join(repr(n) for n in failed)}.")
        return count

    def test_accounts(self, which: Iterable[AccountRef] | None = None, phone: str | None = None, *,
                      concurrency: int = 16, on_progress: Callable[..., None] | None = None,
                      cancel: threading.Event | None = None) -> dict[str, ConnectionReport]:
        """Test several accounts (all by default) concurrently; reports by account name.

        An account whose secrets cannot be decrypted fails alone. Setting `cancel` skips the tests not
        yet started (see diagnostics.run_connection_tests).
        """
        from .diagnostics import not_started, run_connection_tests

        keystore.require(self.keyring)
        which = rules.clean_many(which, "which", single=(int, str, GatewayAccountPublic))
        concurrency = rules.clean_whole(concurrency, "concurrency", 1, 64)
        rules.clean_callable(on_progress, "on_progress")
        with self._read() as s:
            rows = ([accounts.find(s, a) for a in which] if which is not None
                    else s.exec(select(GatewayAccount).order_by(GatewayAccount.name_key)).all())
            ids = {r.name: r.id for r in rows}
            jobs, unreadable = [], {}
            for r in rows:  # an account whose secrets cannot be decrypted fails alone; the others are tested
                try:
                    jobs.append((r.name, r.gateway_type, accounts.settings_of(r, self.keyring)))
                except SecretsError as exc:
                    unreadable[r.name] = not_started(r.gateway_type, exc)
        tested = run_connection_tests(jobs, phone, concurrency=concurrency, on_progress=on_progress, cancel=cancel)
        found = {**tested, **unreadable}
        reports = {name: found[name] for name in ids if name in found}
        self._store_tests([(ids[name], name, report) for name, report in reports.items()])
        return reports

    def _store_tests(self, runs: list[tuple[int | None, str, ConnectionReport]]) -> None:
        """Keep each (account id or None, account name, report) in the test history."""
        with self._write() as s:
            history.record(s, runs, actor=self.actor)
