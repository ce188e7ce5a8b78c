"""Two operators racing on one database (real concurrent connections) cannot break a rule."""


import pytest
from racing import together

from smsgw_kit import AccountLinked, Database, GatewayAdmin, NotFound, StaleEdit

NEXMO = dict(gateway_type="Nexmo", user_name="key", password="secret-1", sender_id="GroupID")


@pytest.fixture
def operators(database_url, keyring):
    """Two admins, each with its own engine and connections, as two operators' kernels would have."""
    made = [GatewayAdmin(Database(database_url), keyring=keyring, actor=f"op{i}") for i in range(4)]
    yield made
    for op in made:
        op.db.dispose()


def test_concurrent_set_default_leaves_exactly_one(operators):
    names = [f"A{i}" for i in range(len(operators))]
    for name in names:
        operators[0].create_account(name=name, **NEXMO)
    for _ in range(10):
        results = together(*(lambda op=op, n=n: op.set_default(n) for op, n in zip(operators, names, strict=True)))
        assert not [r for r in results if isinstance(r, Exception)], results
        defaults = [a.name for a in operators[0].list_accounts() if a.is_default]
        assert len(defaults) == 1


def test_link_while_delete_never_leaves_a_store_on_a_deleted_account(operators):
    one, two = operators[:2]
    for round_ in range(10):
        name = f"A{round_}"
        one.create_account(name=name, **NEXMO)
        one.create_identity_store(name=f"S{round_}")
        deleted, linked = together(lambda n=name: one.delete_account(n), lambda n=name, s=f"S{round_}": two.link(s, n))
        store = one.get_identity_store(f"S{round_}")
        if isinstance(deleted, Exception):
            assert isinstance(deleted, AccountLinked) and deleted.stores == [f"S{round_}"]
            assert store.gateway_account_name == name
        else:
            assert isinstance(linked, NotFound), linked
            assert store.gateway_account_id is None


def test_concurrent_edits_of_one_copy_one_wins_one_gets_a_conflict(operators):
    one, two = operators[:2]
    one.create_account(name="A", **NEXMO)
    for i in range(10):
        copy = one.get_account("A")
        results = together(lambda c=copy, i=i: one.modify_account(c, user_name=f"one{i}"),
                            lambda c=copy, i=i: two.modify_account(c, user_name=f"two{i}"))
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], StaleEdit), results
        winner = next(r for r in results if not isinstance(r, Exception))
        assert one.get_account("A").user_name == winner.user_name


def test_concurrent_creates_of_the_same_name_one_wins(operators):
    results = together(*(lambda op=op: op.create_account(name="Same", **NEXMO) for op in operators))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == len(operators) - 1
    assert all(type(e).__name__ == "DuplicateName" for e in errors), errors
