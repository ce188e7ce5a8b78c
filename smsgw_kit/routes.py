"""A store's fallback accounts and country routes: set, remove and list them, and who uses an account."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
import phonenumbers
import sqlalchemy as sa
from sqlmodel import Session, col, select

from . import accounts, audit, refs, stores
from .errors import InvalidInput, NotFound
from .models import GatewayAccount, IdentityStore, IdentityStorePublic, StoreFallback, StoreRoute

COUNTRY_ALLOWED = "a calling code such as 44 or +44, or a two-letter region such as GB or CA"
MAX_FALLBACKS = 20


@dataclass(frozen=True, order=True)
class Country:
    """What a route matches: a calling code (44) or a region (CA), never both."""

    calling_code: int | None = None
    region: str | None = None

    @property
    def label(self) -> str:
        """'+44' for a calling code, 'CA (+1)' for a region."""
        if self.region:
            return f"{self.region} (+{phonenumbers.country_code_for_region(self.region)})"
        return f"+{self.calling_code}"


def parse_country(value: Any, field: str = "country") -> Country:
    """'44', '+44', 44 → calling code 44; 'gb', 'GB' → region GB; anything else InvalidInput."""
    if isinstance(value, Country):
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(field, f"must be text or a number, not {type(value).__name__}", allowed=COUNTRY_ALLOWED)
    text = str(value).strip().upper().lstrip("+")
    if text.isdigit() and len(text) <= 3:
        code = int(text)
        if phonenumbers.region_code_for_country_code(code) == "ZZ":
            raise InvalidInput(field, f"+{code} is not a country calling code", allowed=COUNTRY_ALLOWED)
        return Country(calling_code=code)
    if len(text) == 2 and text.isalpha():
        if phonenumbers.country_code_for_region(text) == 0:
            raise InvalidInput(field, f"{text!r} is not a region with phone numbers", allowed=COUNTRY_ALLOWED)
        return Country(region=text)
    raise InvalidInput(field, f"{value!r} is neither a calling code nor a region", allowed=COUNTRY_ALLOWED)


def _country_of(route: StoreRoute) -> Country:
    return Country(calling_code=route.calling_code, region=route.region)


def fallbacks(session: Session, store_id: int) -> list[GatewayAccount]:
    """The store's fallback accounts, in the order they are tried."""
    query = (select(GatewayAccount).join(StoreFallback, col(StoreFallback.gateway_account_id) == GatewayAccount.id)
             .where(StoreFallback.identity_store_id == store_id).order_by(col(StoreFallback.position)))
    return list(session.exec(query).all())


def routes(session: Session, store_id: int) -> list[tuple[Country, GatewayAccount]]:
    """The store's country routes, calling codes first, each with its account."""
    query = (select(StoreRoute, GatewayAccount).join(GatewayAccount, col(StoreRoute.gateway_account_id) == GatewayAccount.id)
             .where(StoreRoute.identity_store_id == store_id))
    found = [(_country_of(r), a) for r, a in session.exec(query).all()]
    return sorted(found, key=lambda ca: (ca[0].region is not None, ca[0].calling_code or 0, ca[0].region or ""))


@functools.cache
def _store_and_roles(store_columns: tuple[Any, ...], account_columns: tuple[Any, ...], by_id: bool) -> sa.Select:
    """Built once per caller: the store whose id (by_id) or name key is the parameter `ref`, one row per role
    it gives an account (kind, calling_code, region, position, then `account_columns`); a row with NULL roles
    when it has none, no row when there is no such store.

    Each branch of the roles is an index lookup on the store's own rows, so the cost does not grow with
    the number of accounts or stores.
    """
    R, F, S = (sa.inspect(m).local_table.c for m in (StoreRoute, StoreFallback, IdentityStore))
    key = S.id if by_id else S.name_key
    store_id = sa.select(S.id).where(key == sa.bindparam("ref")).scalar_subquery()
    none_int, none_region = sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), R.region.type)
    union = sa.union_all(
        sa.select(sa.literal("route").label("kind"), R.gateway_account_id.label("account"), R.calling_code, R.region,
                  none_int.label("position")).where(R.identity_store_id == store_id),
        sa.select(sa.literal("fallback"), F.gateway_account_id, none_int, none_region, F.position)
        .where(F.identity_store_id == store_id),
        sa.select(sa.literal("linked"), S.gateway_account_id, none_int, none_region, none_int)
        .where(key == sa.bindparam("ref"), S.gateway_account_id.is_not(None)),
    ).subquery("role")
    A = accounts.ACCOUNTS
    roles = (sa.select(union.c.kind, union.c.calling_code, union.c.region, union.c.position, *account_columns)
             .join_from(union, A, A.c.id == union.c.account).subquery("roles"))
    return (sa.select(*store_columns, *roles.c).select_from(sa.inspect(IdentityStore).local_table)
            .outerjoin(roles, sa.true()).where(key == sa.bindparam("ref")))


Roles = tuple[list[tuple[Country, sa.Row]], sa.Row | None, list[sa.Row]]


def store_and_roles(conn: sa.Connection, ref: Any, store_columns: tuple[Any, ...],
                    account_columns: tuple[Any, ...]) -> tuple[sa.Row, Roles]:
    """The store `ref` names (a row of `store_columns`) and its (routes, linked account, fallbacks in
    order), each account a row of `account_columns`: one Core query, send_code's hot path."""
    by_id, key = refs.lookup_key(ref, "identity_store", IdentityStorePublic)
    rows = conn.execute(_store_and_roles(store_columns, account_columns, by_id), {"ref": key}).all()
    if not rows:
        raise NotFound(stores.KIND, ref.strip() if isinstance(ref, str) else getattr(ref, "id", ref))
    found_routes: dict[Country, sa.Row] = {}
    found_fallbacks: dict[int, sa.Row] = {}
    linked = None
    for row in rows:
        if row.kind == "route":
            found_routes[Country(calling_code=row.calling_code, region=row.region)] = row
        elif row.kind == "fallback":
            found_fallbacks[row.position] = row
        elif row.kind == "linked":
            linked = row
    ordered = sorted(found_routes.items(), key=lambda ca: (ca[0].region is not None, ca[0].calling_code or 0,
                                                           ca[0].region or ""))
    return rows[0], (ordered, linked, [found_fallbacks[p] for p in sorted(found_fallbacks)])


def fallback_refs(value: Any) -> list[Any]:
    """The accounts a caller gave as fallbacks, in order: a list, tuple or other ordered sequence of names
    or ids, or one name or id alone."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, set | frozenset | dict | bytes) or not isinstance(value, Iterable):
        raise InvalidInput("fallback_accounts", f"must be a list of accounts, not {type(value).__name__}",
                           allowed="account names or ids in the order they are tried, e.g. ['Twilio', 'Clickatell']; "
                                   "[] for none")
    return list(value)


def check_fallbacks(keys: Sequence[Hashable], names: Sequence[str], *, field: str = "fallbacks",
                    indexed: bool = False) -> None:
    """A fallback list's own rules: at most MAX_FALLBACKS accounts, each once (`keys` identify them).

    `indexed` names the repeated entry itself (`field[2]`), for a document's path.
    """
    if len(keys) > MAX_FALLBACKS:
        raise InvalidInput(field, f"{len(keys)} accounts given", allowed=f"at most {MAX_FALLBACKS}")
    seen: set[Hashable] = set()
    for i, (key, name) in enumerate(zip(keys, names, strict=True)):
        if key in seen:
            raise InvalidInput(f"{field}[{i}]" if indexed else field, f"{name!r} is listed twice",
                               allowed="each account once")
        seen.add(key)


def set_fallbacks(session: Session, ctx: accounts.Context, store: IdentityStore,
                  chosen: list[GatewayAccount]) -> bool:
    """Replace the store's fallback list by `chosen`, in that order; True if it changed."""
    check_fallbacks([row.id for row in chosen], [row.name for row in chosen])
    before = [a.name for a in fallbacks(session, cast(int, store.id))]
    after = [a.name for a in chosen]
    if before == after:
        return False
    for old in session.exec(select(StoreFallback).where(StoreFallback.identity_store_id == store.id)).all():
        session.delete(old)
    session.flush()  # the old positions must be gone before the unique index sees the new ones
    for position, row in enumerate(chosen):
        session.add(StoreFallback(identity_store_id=cast(int, store.id), gateway_account_id=cast(int, row.id),
                                  position=position))
    session.flush()
    audit.record(session, actor=ctx.actor, action="store.set_fallbacks", row=store,
                 before={"fallbacks": before}, after={"fallbacks": after})
    return True


def _route_row(session: Session, store_id: int, country: Country) -> StoreRoute | None:
    query = select(StoreRoute).where(StoreRoute.identity_store_id == store_id)
    if country.region:
        query = query.where(StoreRoute.region == country.region)
    else:
        query = query.where(StoreRoute.calling_code == country.calling_code)
    return session.exec(query).first()


def _routed_account(session: Session, row: StoreRoute) -> GatewayAccount:
    account = session.get(GatewayAccount, row.gateway_account_id)
    assert account is not None  # the foreign key (RESTRICT) keeps a routed account
    return account


def set_route(session: Session, ctx: accounts.Context, store: IdentityStore, country: Country,
              account: GatewayAccount) -> bool:
    """Numbers of `country` go first through `account` (replacing an earlier route for it)."""
    store_id = cast(int, store.id)  # a saved row
    row = _route_row(session, store_id, country)
    before = _routed_account(session, row).name if row else None
    if row is not None and row.gateway_account_id == account.id:
        return False
    if row is None:
        row = StoreRoute(identity_store_id=store_id, calling_code=country.calling_code, region=country.region,
                         gateway_account_id=cast(int, account.id))  # a saved row
    row.gateway_account_id = cast(int, account.id)
    session.add(row)
    session.flush()
    audit.record(session, actor=ctx.actor, action="store.set_route", row=store,
                 before={"route": country.label, "gateway_account": before},
                 after={"route": country.label, "gateway_account": account.name})
    return True


def remove_route(session: Session, ctx: accounts.Context, store: IdentityStore, country: Country) -> None:
    """Drop the store's route for `country`; InvalidInput when it has none."""
    store_id = cast(int, store.id)  # a saved row
    row = _route_row(session, store_id, country)
    if row is None:
        raise InvalidInput("country", f"the identity store {store.name!r} has no route for {country.label}",
                           allowed=", ".join(c.label for c, _ in routes(session, store_id)) or "no routes yet")
    name = _routed_account(session, row).name
    session.delete(row)
    session.flush()
    audit.record(session, actor=ctx.actor, action="store.remove_route", row=store,
                 before={"route": country.label, "gateway_account": name}, after={"route": country.label,
                                                                                  "gateway_account": None})


def uses(session: Session, account_id: int) -> list[tuple[str, str]]:
    """Every (store name, role) in which the account serves: 'linked', 'fallback', 'route for +44'."""
    return uses_many(session, [account_id]).get(account_id, [])


def uses_many(session: Session, account_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """`uses` of each of the accounts that serves anywhere (a few queries however many accounts)."""
    found: dict[int, list[tuple[str, str]]] = {}
    for chunk in (list(account_ids)[i:i + 500] for i in range(0, len(account_ids), 500)):
        for account_id, name in session.exec(select(IdentityStore.gateway_account_id, IdentityStore.name)
                                              .where(col(IdentityStore.gateway_account_id).in_(chunk))).all():
            found.setdefault(cast(int, account_id), []).append((name, "linked"))  # one of chunk
        for account_id, name in session.exec(
                select(StoreFallback.gateway_account_id, IdentityStore.name)
                .join(IdentityStore, col(StoreFallback.identity_store_id) == IdentityStore.id)
                .where(col(StoreFallback.gateway_account_id).in_(chunk))).all():
            found.setdefault(account_id, []).append((name, "fallback"))
        for name, route in session.exec(
                select(IdentityStore.name, StoreRoute).join(StoreRoute, col(StoreRoute.identity_store_id) == IdentityStore.id)
                .where(col(StoreRoute.gateway_account_id).in_(chunk))).all():
            found.setdefault(route.gateway_account_id, []).append((name, f"route for {_country_of(route).label}"))
    order = {"linked": 0, "fallback": 1}
    return {i: sorted(u, key=lambda u: (u[0].casefold(), order.get(u[1], 2), u[1])) for i, u in found.items()}


def uses_texts(session: Session, account_ids: list[int]) -> dict[int, list[str]]:
    """For each of the accounts, its uses: 'Store' when linked (as the seed shows links), else 'Store (role)'."""
    found: dict[int, list[tuple[str, int, str]]] = {}
    linked = select(IdentityStore.gateway_account_id, IdentityStore.name).where(
        col(IdentityStore.gateway_account_id).in_(account_ids))
    for account_id, store in session.exec(linked).all():
        found.setdefault(cast(int, account_id), []).append((store, 0, "linked"))  # one of account_ids
    backups = (select(StoreFallback.gateway_account_id, IdentityStore.name)
               .join(IdentityStore, col(StoreFallback.identity_store_id) == IdentityStore.id)
               .where(col(StoreFallback.gateway_account_id).in_(account_ids)))
    for account_id, store in session.exec(backups).all():
        found.setdefault(account_id, []).append((store, 1, "fallback"))
    routed = (select(StoreRoute, IdentityStore.name).join(IdentityStore, col(StoreRoute.identity_store_id) == IdentityStore.id)
              .where(col(StoreRoute.gateway_account_id).in_(account_ids)))
    for route, store in session.exec(routed).all():
        found.setdefault(route.gateway_account_id, []).append((store, 2, f"route for {_country_of(route).label}"))
    def text(store: str, role: str) -> str:
        return store if role == "linked" else f"{store} ({role})"

    return {i: [text(store, role) for store, _, role in sorted(uses, key=lambda u: (u[0].casefold(), u[1], u[2]))]
            for i, uses in found.items()}


@dataclass(frozen=True, kw_only=True)
class StoreRouting:
    """A store's accounts by role: the linked one, the fallbacks in order, the country routes."""

    store: str
    linked: str | None
    fallbacks: tuple[str, ...]
    routes: tuple[tuple[str, str], ...]  # (country label, account name)


def describe(session: Session, store: IdentityStore) -> StoreRouting:
    linked = session.get(GatewayAccount, store.gateway_account_id) if store.gateway_account_id else None
    return StoreRouting(
        store=store.name, linked=linked.name if linked else None,
        fallbacks=tuple(a.name for a in fallbacks(session, cast(int, store.id))),  # a saved row
        routes=tuple((c.label, a.name) for c, a in routes(session, cast(int, store.id))),
    )


def frame(session: Session) -> pd.DataFrame:
    """One row per store and role (routes, linked, fallbacks), in the order a send tries them."""
    rows: list[tuple[str, str, str | None]] = []
    for store in session.exec(select(IdentityStore).order_by(IdentityStore.name_key)).all():
        info = describe(session, store)
        rows += [(store.name, f"route for {c}", a) for c, a in info.routes]
        rows += [(store.name, "linked", info.linked)] if info.linked else []
        rows += [(store.name, f"fallback {i}", a) for i, a in enumerate(info.fallbacks, start=1)]
        if not (info.routes or info.linked or info.fallbacks):
            rows.append((store.name, "none", None))
    return pd.DataFrame(rows, columns=["store", "role", "account"]).astype("string")
