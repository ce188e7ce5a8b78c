"""The document's `fallbacks` and `routes` sections: each store's fallback accounts and country routes, planned
against the database and applied through routes.py's own operations (its rules, its audit events).

    fallbacks:                      routes:
      Corp AD: [Backup, Twilio PK]    Corp AD: {'+44': Nexmo UK, GB: Backup}

A section that is there states every store's fallbacks (or routes): a store it leaves out has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlmodel import Session, col, select

from .. import accounts, locks, routes, rules, stores
from ..errors import AccountLinked, InvalidInput
from ..models import GatewayAccount, IdentityStore, StoreFallback, StoreRoute
from .apply import _stale
from .plan import Change, State

ACCOUNT_ALLOWED = "an account the document keeps or creates"


def country_key(country: routes.Country) -> str:
    """How the document writes a country: '+44' for a calling code, 'GB' for a region (parse_country reads both)."""
    return country.region or f"+{country.calling_code}"


def _country_order(country: routes.Country) -> tuple:
    return country.region is not None, country.calling_code or 0, country.region or ""


@dataclass
class _Stored:
    """The stores, account names, fallbacks and routes in the database, read in four queries."""

    stores: list[IdentityStore]
    names: dict[int, str]
    fallbacks: dict[int, list[int]]  # store id -> account ids in order
    routes: dict[int, dict[routes.Country, int]]  # store id -> country -> account id

    @classmethod
    def read(cls, session: Session) -> _Stored:
        found = cls(list(session.exec(select(IdentityStore).order_by(col(IdentityStore.name_key))).all()),
                    {cast(int, i): n for i, n in session.exec(select(GatewayAccount.id, GatewayAccount.name)).all()},
                    {}, {})
        for f in session.exec(select(StoreFallback).order_by(col(StoreFallback.position))).all():
            found.fallbacks.setdefault(f.identity_store_id, []).append(f.gateway_account_id)
        for r in session.exec(select(StoreRoute)).all():
            country = routes.Country(calling_code=r.calling_code, region=r.region)
            found.routes.setdefault(r.identity_store_id, {})[country] = r.gateway_account_id
        return found

    def route_names(self, store_id: int | None) -> dict[str, str]:
        held = self.routes.get(store_id, {}) if store_id is not None else {}
        return {country_key(c): self.names[held[c]] for c in sorted(held, key=_country_order)}


# -- Reading the document's section ----------------------------------------------------------------


def _per_store(value: Any, key: str, state: State, kind: type) -> list[tuple[str, str, Any]]:
    """(store name key, path, the store's entry) for each store the section names, checked against the end state."""
    if value is None:
        return []
    what = "a list of account names" if kind is list else "a mapping of countries to account names"
    if not isinstance(value, dict):
        raise InvalidInput(key, f"must be a mapping of identity store names to {what}, not {type(value).__name__}")
    out: list[tuple[str, str, Any]] = []
    seen: dict[str, str] = {}
    for name, entry in value.items():
        path = f"{key}[{name!r}]"
        store_key = rules.clean_name(name, path)[1]
        if store_key in seen:
            raise InvalidInput(path, f"repeats the identity store of {seen[store_key]}",
                               allowed="each identity store once")
        if store_key not in state.stores:
            raise InvalidInput(path, f"names no identity store: {name!r}",
                               allowed="an identity store the document keeps or creates")
        if entry is not None and not isinstance(entry, kind):
            raise InvalidInput(path, f"must be {what}, not {type(entry).__name__}")
        seen[store_key] = path
        out.append((store_key, path, entry if entry is not None else kind()))
    return out


def _account_key(raw: Any, path: str, state: State, store: str, role: str) -> str:
    """The name key of the account an entry names, which the plan's end state must hold."""
    key = rules.clean_name(raw, path)[1]
    if key in state.accounts:
        return key
    if key in state.deleted_accounts:  # the delete guard, with the entry that still uses the account
        exc = AccountLinked(state.deleted_accounts[key], [], uses=[(store, role)])
        exc.args = (f"{exc.args[0]} (the document's {path})",)
        raise exc
    raise InvalidInput(path, f"names no account: {raw!r}", allowed=ACCOUNT_ALLOWED)


def _stores_in_order(entries: list[tuple[str, str, Any]], stored: _Stored, state: State,
                     key: str) -> Iterator[tuple[str, IdentityStore | None, str, Any]]:
    """Each end-state store once: those the section names (in its order), then the others it leaves without."""
    by_key = {s.name_key: s for s in stored.stores}
    named = {k for k, _, _ in entries}
    for store_key, path, entry in entries:
        yield state.stores[store_key], by_key.get(store_key), path, entry
    for row in stored.stores:
        if row.name_key not in named and row.name_key in state.stores:
            yield row.name, row, f"{key}[{row.name!r}]", None


def _store_for(session: Session, change: Change) -> IdentityStore:
    """The change's store: locked if it was there when the plan was made, found if the plan created it."""
    if change.object_id is None:
        return stores.find(session, change.name)
    row = locks.store(session, change.object_id)
    if row is None:
        raise _stale(stores.KIND, change.name, None, None,
                     f"The identity store {change.name!r} was deleted by someone else after the plan was made.")
    return row


def _check_unchanged(found: Any, change: Change, what: str) -> None:
    if found != change.data["before"]:
        raise _stale(stores.KIND, change.name, None, None,
                     f"The {what} of the identity store {change.name!r} were changed by someone else after the plan was made.")


def _held(session: Session, account_ids: list[int], state: State, role: Any) -> dict[int, list[tuple[str, str]]]:
    found = {}
    for account_id, uses in routes.uses_many(session, account_ids).items():
        kept = [(s, r) for s, r in uses if role(r) and rules.clean_name(s)[1] in state.stores]
        if kept:
            found[account_id] = kept
    return found


# -- The sections --------------------------------------------------------------------------------------


class FallbacksSection:
    """`fallbacks`: each identity store's fallback accounts, in the order they are tried."""

    key = "fallbacks"

    def export(self, session: Session) -> dict[str, list[str]]:
        stored = _Stored.read(session)
        return {s.name: [stored.names[i] for i in stored.fallbacks[cast(int, s.id)]]
                for s in stored.stores if stored.fallbacks.get(cast(int, s.id))}

    def plan(self, session: Session, value: Any, state: State) -> list[Change]:
        stored = _Stored.read(session)
        changes = []
        for name, row, path, entry in _stores_in_order(_per_store(value, self.key, state, list), stored, state, self.key):
            keys = [_account_key(a, f"{path}[{i}]", state, name, "fallback") for i, a in enumerate(entry or [])]
            after = [state.accounts[k] for k in keys]
            routes.check_fallbacks(keys, after, field=path, indexed=True)
            before_ids = stored.fallbacks.get(cast(int, row.id), []) if row else []
            if [state.account_ids.get(k) for k in keys] == before_ids:
                continue
            before = [stored.names[i] for i in before_ids]
            changes.append(Change(self.key, "set", name, path, {"fallbacks": (before, after)},
                                  row.id if row else None, data={"before": before_ids, "after": after}))
        return changes

    def apply(self, session: Session, ctx: accounts.Context, change: Change) -> None:
        store = _store_for(session, change)
        _check_unchanged([a.id for a in routes.fallbacks(session, cast(int, store.id))], change, "fallbacks")
        routes.set_fallbacks(session, ctx, store, [accounts.find(session, a) for a in change.data["after"]])

    def holds(self, session: Session, account_ids: list[int], state: State) -> dict[int, list[tuple[str, str]]]:
        return _held(session, account_ids, state, lambda role: role == "fallback")


class RoutesSection:
    """`routes`: each identity store's country routes, a calling code ('+44') or region ('GB') to an account."""

    key = "routes"

    def export(self, session: Session) -> dict[str, dict[str, str]]:
        stored = _Stored.read(session)
        return {s.name: stored.route_names(s.id) for s in stored.stores if stored.routes.get(cast(int, s.id))}

    def plan(self, session: Session, value: Any, state: State) -> list[Change]:
        stored = _Stored.read(session)
        changes = []
        for name, row, path, entry in _stores_in_order(_per_store(value, self.key, state, dict), stored, state, self.key):
            before_ids = stored.routes.get(cast(int, row.id), {}) if row else {}
            wanted = self._wanted(entry or {}, path, state, name)
            fields = {}
            for country in sorted(set(before_ids) | set(wanted), key=_country_order):
                was, key = before_ids.get(country), wanted.get(country)
                if key is None or was is None or state.account_ids.get(key) != was:  # None: created by the plan
                    fields[country_key(country)] = (stored.names.get(was) if was else None,
                                                    state.accounts[key] if key else None)
            if fields:
                before = {country_key(c): i for c, i in before_ids.items()}
                changes.append(Change(self.key, "set", name, path, fields, row.id if row else None,
                                      data={"before": before, "after": {k: a for k, (_, a) in fields.items()}}))
        return changes

    @staticmethod
    def _wanted(entry: dict, path: str, state: State, store: str) -> dict[routes.Country, str]:
        wanted: dict[routes.Country, str] = {}
        where: dict[routes.Country, str] = {}
        for raw, account in entry.items():
            at = f"{path}[{raw!r}]"
            country = routes.parse_country(raw, at)
            if country in wanted:
                raise InvalidInput(at, f"is the same country as {where[country]}", allowed="each country once")
            wanted[country] = _account_key(account, at, state, store, f"route for {country.label}")
            where[country] = at
        return wanted

    def apply(self, session: Session, ctx: accounts.Context, change: Change) -> None:
        store = _store_for(session, change)
        now = {country_key(c): a.id for c, a in routes.routes(session, cast(int, store.id))}
        _check_unchanged(now, change, "country routes")
        for key, account in change.data["after"].items():
            if account is None:
                routes.remove_route(session, ctx, store, routes.parse_country(key))
            else:
                routes.set_route(session, ctx, store, routes.parse_country(key), accounts.find(session, account))

    def holds(self, session: Session, account_ids: list[int], state: State) -> dict[int, list[tuple[str, str]]]:
        return _held(session, account_ids, state, lambda role: role.startswith("route for "))


FALLBACKS, ROUTES = FallbacksSection(), RoutesSection()
