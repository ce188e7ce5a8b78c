"""The operator's API: every operation on accounts and stores, one transaction each, audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from . import accounts, audit, rules, stores, views
from .accounts import Context
from .db import Database
from .errors import (
    AccountLinked,
    Conflict,
    InvalidInput,
    NotFound,
    SecretsError,
    StorageError,
)
from .fields import (
    FIELDS,
    SECRETS,
    GatewayAccountCreate,
    GatewayAccountUpdate,
    takes_fields,
)
from .models import (
    NAME_MAX,
    ConnectionTestRun,
    GatewayAccount,
    GatewayAccountPublic,
    IdentityStore,
    IdentityStorePublic,
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
                 actor: str | None = None):
        if keyring is not None and not isinstance(keyring, Keyring):
            raise InvalidInput("keyring", f"must be a Keyring, not {type(keyring).__name__}",
                               allowed="Keyring.load(), Keyring.from_keys(...) or None")
        self.actor = rules.clean_actor(audit.current_actor() if actor is None else actor)
        self.db = database if isinstance(database, Database) else Database(database)
        self.keyring = keyring or Keyring.load()

    def __repr__(self) -> str:
        return f"GatewayAdmin({self.db.engine.url!r}, actor={self.actor!r})"

    @property
    def _ctx(self) -> Context:
        return Context(actor=self.actor, keyring=self.keyring)

    @contextmanager
    def _write(self, name: str | None = None, on_foreign_key: Callable[[], Exception] | None = None) -> Iterator[Session]:
        try:
            with self.db.transaction() as session:
                yield session
        except sa.exc.IntegrityError as exc:
            if on_foreign_key and "foreign key" in str(exc.orig).lower():
                raise on_foreign_key() from exc
            raise _constraint_error(exc, name) from exc
        except sa.exc.OperationalError as exc:
            code = getattr(exc.orig, "sqlstate", None)
            if code in ("40001", "40P01"):
                raise Conflict("Another operator changed the same data at the same moment; try again.") from exc
            raise StorageError(f"The database refused the operation: {type(exc.orig).__name__}.") from exc

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self.db.reading() as conn, Session(bind=conn) as session:
            yield session

    # Accounts -------------------------------------------------------------------------------

    @takes_fields(GatewayAccountCreate)
    def create_account(self, *, set_default: bool = False, **fields: object) -> GatewayAccountPublic:
        """Create an account (gateway_url defaults to the type's URL); refused fields raise InvalidInput."""
        set_default = rules.clean_flag(set_default, "set_default")
        values = GatewayAccountCreate.check(fields)  # all refusals before the transaction starts
        with self._write(values["name"]) as s:
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
                accounts.lock_default(s)  # the default lock is always taken before any row lock
            row = accounts.find(s, account, lock=True)
            accounts.check_version(row, expected_version)
            accounts.modify(s, self._ctx, row, changes, clear=clear)
            if set_default is True:
                accounts.set_default(s, self._ctx, row)
            elif set_default is False:
                accounts.clear_default(s, self._ctx, row)
            s.flush()
            return GatewayAccountPublic.of(row)

    def set_default(self, account: AccountRef) -> GatewayAccountPublic:
        """Make the account the default; the previous default stops being one, atomically."""
        with self._write() as s:
            accounts.lock_default(s)  # the default lock is always taken before any row lock
            row = accounts.find(s, account, lock=True)
            accounts.set_default(s, self._ctx, row)
            return GatewayAccountPublic.of(row)

    def clear_default(self) -> None:
        """Leave no account as the default."""
        with self._write() as s:
            accounts.clear_default(s, self._ctx)

    def delete_account(self, account: AccountRef, *, expected_version: int | None = None) -> None:
        """Delete an account; refused (naming the stores) while identity stores are linked to it."""
        if expected_version is None and isinstance(account, GatewayAccountPublic):
            expected_version = account.version
        expected_version = rules.clean_version(expected_version)
        name = account if isinstance(account, str) else None

        def linked_meanwhile() -> Exception:
            with self._read() as s:
                row = accounts.find(s, account)
                return AccountLinked(row.name, accounts.linked_store_names(s, row.id))

        with self._write(name, on_foreign_key=linked_meanwhile) as s:
            row = accounts.find(s, account, lock=True)
            accounts.check_version(row, expected_version)
            accounts.delete(s, self._ctx, row)

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
        """Create a store; it is linked to the current default account, if there is one."""
        with self._write(name) as s:
            row = stores.create(s, self._ctx, name=name, store_type=store_type, sms_text=sms_text)
            return IdentityStorePublic.of(row, stores.account_name(s, row))

    def link(self, store: StoreRef, account: AccountRef) -> IdentityStorePublic:
        """Link the store to the account (a store has at most one account)."""
        def gone() -> Exception:
            return NotFound(accounts.KIND, account if not isinstance(account, GatewayAccountPublic) else account.id)

        with self._write(on_foreign_key=gone) as s:
            row = stores.find(s, store, lock=True)
            target = accounts.find(s, account, share=True)
            stores.link(s, self._ctx, row, target)
            return IdentityStorePublic.of(row, target.name)

    def unlink(self, store: StoreRef) -> IdentityStorePublic:
        with self._write() as s:
            row = stores.find(s, store, lock=True)
            stores.unlink(s, self._ctx, row)
            return IdentityStorePublic.of(row, None)

    def set_sms_text(self, store: StoreRef, text: str) -> IdentityStorePublic:
        """Replace the store's SMS text message; it must keep the [Code] placeholder."""
        with self._write() as s:
            row = stores.find(s, store, lock=True)
            stores.set_sms_text(s, self._ctx, row, text)
            return IdentityStorePublic.of(row, stores.account_name(s, row))

    def configure_sms_authentication(self, store: StoreRef, *, account: AccountRef | None,
                                     sms_text: str) -> IdentityStorePublic:
        """Save a store's SMS Authentication settings (its account, or none, and its text) at once."""
        with self._write() as s:
            row = stores.find(s, store, lock=True)
            stores.set_sms_text(s, self._ctx, row, sms_text)
            if account is None:
                stores.unlink(s, self._ctx, row)
            else:
                target = accounts.find(s, account, share=True)
                if row.gateway_account_id != target.id:
                    stores.link(s, self._ctx, row, target)
            return IdentityStorePublic.of(row, stores.account_name(s, row))

    def delete_identity_store(self, store: StoreRef) -> None:
        with self._write() as s:
            stores.delete(s, self._ctx, stores.find(s, store, lock=True))

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

    # Keys -----------------------------------------------------------------------------------

    def rotate_encryption_key(self, *, new_key: str | None = None, retire_old_keys: bool = True) -> int:
        """Re-encrypt every stored secret under a new key; returns how many secrets were re-encrypted.

        The new key is saved beside the old ones before anything is re-encrypted, so a crash at any
        point leaves every secret readable. Keys from SMSGW_KIT_SECRET_KEYS cannot be written: put the
        new key first there, then call this without `new_key` to re-encrypt under it.
        """
        if self.keyring.source == "environment":
            if new_key:
                raise InvalidInput("new_key", "cannot be saved: keys come from SMSGW_KIT_SECRET_KEYS",
                                   allowed="put the new key first in SMSGW_KIT_SECRET_KEYS")
            ring = self.keyring
        else:
            ring = self.keyring.with_new_primary(new_key.encode() if new_key else None)
            if ring.source == "file":
                ring.save()
        count = 0
        with self._write() as s:
            for row in s.exec(select(GatewayAccount).with_for_update()).all():
                for col in SECRETS.values():
                    if getattr(row, col):
                        setattr(row, col, ring.reencrypt(getattr(row, col)))
                        count += 1
                s.add(row)
            audit.record(s, actor=self.actor, action="keys.rotate", row=None, object_kind="keys",
                         object_name=ring.source, after={"secrets_reencrypted": count, "keys_kept": 1 if retire_old_keys else ring.key_count})
        self.keyring = ring.retired() if retire_old_keys else ring
        if retire_old_keys and ring.source == "file":
            self.keyring.save()
        return count

    # Test Connection ------------------------------------------------------------------------

    def test_connection(self, account: AccountRef, phone: str | None = None, *, message: str | None = None):
        """Run Test Connection on a saved account; the report is stored in the test history."""
        from .diagnostics import run_connection_test

        with self._read() as s:
            row = accounts.find(s, account)
            settings = accounts.settings_of(row, self.keyring)
            account_id, name, gateway_type = row.id, row.name, row.gateway_type
        report = run_connection_test(gateway_type, settings, phone, message=message)
        self._store_tests([(account_id, name, report)])
        return report

    @takes_fields(GatewayAccountUpdate)
    def test_settings(self, *, gateway_type: str | None = None, phone: str | None = None,
                      account: AccountRef | None = None, name: str | None = None, message: str | None = None,
                      **fields: object):
        """Run Test Connection on unsaved values: a form's values, or a saved `account` with `fields`
        changed (empty secrets keep the stored ones). Nothing is saved but the test history entry."""
        from .diagnostics import run_connection_test
        from .gateways import get_gateway_type

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
        failed, count = [], 0
        with self._read() as s:
            for row in s.exec(select(GatewayAccount).order_by(GatewayAccount.name_key)).all():
                try:
                    count += sum(self.keyring.decrypt(getattr(row, c)) is not None for c in SECRETS.values())
                except SecretsError:
                    failed.append(row.name)
        if failed:
            raise SecretsError(f"The secrets of {len(failed)} account(s) cannot be decrypted with the "
                               f"available keys: {', '.join(repr(n) for n in failed)}.")
        return count

    def test_accounts(self, which: Iterable[AccountRef] | None = None, phone: str | None = None, *,
                      concurrency: int = 16, on_progress: Callable[..., None] | None = None) -> dict[str, Any]:
        """Test several accounts (all by default) concurrently; reports by account name."""
        from .diagnostics import run_connection_tests

        which = rules.clean_many(which, "which", single=(int, str, GatewayAccountPublic))
        concurrency = rules.clean_whole(concurrency, "concurrency", 1, 64)
        rules.clean_callable(on_progress, "on_progress")
        with self._read() as s:
            rows = ([accounts.find(s, a) for a in which] if which is not None
                    else s.exec(select(GatewayAccount).order_by(GatewayAccount.name_key)).all())
            ids = {r.name: r.id for r in rows}
            jobs = [(r.name, r.gateway_type, accounts.settings_of(r, self.keyring)) for r in rows]
        reports = run_connection_tests(jobs, phone, concurrency=concurrency, on_progress=on_progress)
        self._store_tests([(ids[name], name, report) for name, report in reports.items()])
        return reports

    def _store_tests(self, runs: list[tuple[int | None, str, Any]]) -> None:
        """Keep each (account id or None, account name, ConnectionReport) in the test history."""
        with self._write() as s:
            for account_id, name, report in runs:
                data = report.to_dict()
                if account_id is not None and s.get(GatewayAccount, account_id) is None:
                    account_id = None  # deleted while the test ran: keep the history, drop the link
                s.add(ConnectionTestRun(
                    gateway_account_id=account_id, account_name=name, gateway_type=report.gateway_type,
                    phone=report.recipient, duration_ms=report.duration_ms, outcome=report.outcome,
                    summary=report.summary, stages=data.get("stages", []), message_id=report.message_id,
                    run_by=self.actor,
                ))
