"""Operators racing on one database (real concurrent connections): a fallback or a route never points
at a deleted account, and a delete that loses the race is refused naming the store and role."""

from __future__ import annotations

import pytest
from racing import together

from smsgw_kit import AccountLinked, Database, GatewayAdmin, NotFound

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


@pytest.fixture
def operators(database_url, keyring):
    made = [GatewayAdmin(Database(database_url), keyring=keyring, actor=f"op{i}") for i in range(2)]
    yield made
    for op in made:
        op.db.dispose()


@pytest.mark.parametrize("role", ["fallback", "route for +44"])
def test_adding_a_fallback_or_route_while_deleting_never_leaves_a_dangling_account(operators, role):
    one, two = operators
    for round_ in range(8):
        name, store = f"A{round_}", f"S{round_}"
        one.create_account(name=name, **NEXMO)
        one.create_identity_store(name=store)
        add = ((lambda store=store, name=name: two.set_fallbacks(store, [name])) if role == "fallback"
               else (lambda store=store, name=name: two.set_route(store, 44, name)))
        deleted, added = together(lambda name=name: one.delete_account(name), add)
        routing = one.store_routing(store)
        if isinstance(deleted, Exception):
            assert isinstance(deleted, AccountLinked), deleted
            assert deleted.uses == [(store, role)]
            assert name in (routing.fallbacks or tuple(a for _, a in routing.routes))
        else:
            assert isinstance(added, NotFound), added
            assert routing.fallbacks == () and routing.routes == ()
