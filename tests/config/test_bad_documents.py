"""Bad documents are answered with InvalidInput naming the offending entry's path; nothing is written."""

from __future__ import annotations

import copy
import re

import pytest

from smsgw_kit import InvalidInput, config

GOOD = {
    "version": 1,
    "default": "Primary",
    "accounts": [
        {"name": "Primary", "gateway_type": "Nexmo", "user_name": "k", "password": "env:GOOD_SECRET", "sender_id": "G"},
        {"name": "Backup", "gateway_type": "Twilio", "account_id": "AC00000000000000000000000000000001",
         "user_name": "AC00000000000000000000000000000001", "password": "env:GOOD_SECRET", "sender_id": "+15005550006"},
        {"name": "Legacy", "gateway_type": "Clickatell", "account_id": "1", "user_name": "ops",
         "password": "env:GOOD_SECRET", "sender_id": "G"},
        {"name": "Proxied", "gateway_type": "Nexmo", "user_name": "k", "password": "env:GOOD_SECRET",
         "sender_id": "G", "proxy_host_name": "proxy", "proxy_port": 3128},
    ],
    "identity_stores": [{"name": "Corp AD", "gateway_account": "Backup"}],
}


def bad(path: tuple, value=None, *, delete: bool = False) -> dict:
    doc = copy.deepcopy(GOOD)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


CASES = [
    # (document, the path the error names, words of the complaint)
    (bad(("accounts", 3, "proxy_prot"), 3128), "accounts[3].proxy_prot", "is not an account field"),
    (bad(("accounts", 3, "proxy_port"), "3128"), "accounts[3].proxy_port", "must be int, not str"),
    (bad(("accounts", 3, "proxy_port"), True), "accounts[3].proxy_port", "must be int, not bool"),
    (bad(("accounts", 3, "proxy_port"), 70000), "accounts[3].proxy_port", "out of range"),
    (bad(("accounts", 1, "read_timeout"), "slow"), "accounts[1].read_timeout", "must be int or float"),
    (bad(("accounts", 0, "options"), ["a"]), "accounts[0].options", "must be dict, not list"),
    (bad(("accounts", 0, "name"), None), "accounts[0].name", "is required"),
    (bad(("accounts", 2, "gateway_type"), "Nexmoo"), "accounts[2].gateway_type", "Did you mean 'Nexmo'?"),
    (bad(("accounts", 1, "password"), "twilio-token-in-clear"), "accounts[1].password", "secret in clear"),
    (bad(("accounts", 1, "proxy_password"), 1234), "accounts[1].proxy_password", "must be a reference"),
    (bad(("accounts", 1, "password"), "env:NOT_SET_ANYWHERE_13"), "accounts[1].password", "NOT_SET_ANYWHERE_13 is not set"),
    (bad(("accounts", 1, "password"), "env:BAD-NAME"), "accounts[1].password", "not an environment variable name"),
    (bad(("accounts", 1, "password"), "file:/no/such/secret"), "accounts[1].password", "cannot read"),
    (bad(("accounts", 1, "sender_id"), delete=True), "accounts[1].sender_id", "is required for Twilio"),
    (bad(("accounts", 3, "proxy_port"), delete=True), "accounts[3].proxy_port", "required when a proxy host is set"),
    (bad(("accounts", 2, "name"), " primary "), "accounts[2].name", "repeats the name of accounts[0]"),
    (bad(("accounts", 2), "Legacy"), "accounts[2]", "must be a mapping"),
    (bad(("accounts",), {"Primary": {}}), "accounts", "must be a list"),
    (bad(("identity_stores", 0, "gateway_account"), "Nobody"), "identity_stores[0].gateway_account", "names no account"),
    (bad(("identity_stores", 0, "sms_text"), "no code"), "identity_stores[0].sms_text", "[Code]"),
    (bad(("identity_stores", 0, "linked"), True), "identity_stores[0].linked", "not an identity store field"),
    (bad(("default",), "Nobody"), "default", "names no account"),
    (bad(("route",), {}), "route", "is not a section"),
    (bad(("routes",), []), "routes", "must be a mapping of identity store names"),
    (bad(("fallbacks",), {"Corp AD": ["Nobody"]}), "fallbacks['Corp AD'][0]", "names no account"),
    (bad(("version",), 2), "version", "not a format"),
]


@pytest.fixture(autouse=True)
def good_secret(monkeypatch):
    monkeypatch.setenv("GOOD_SECRET", "a-good-secret")


def test_the_good_document_is_good(sqlite_admin):
    assert sqlite_admin.plan(GOOD).counts()["account.create"] == 4


@pytest.mark.parametrize("document, path, words", CASES, ids=[c[1] + ":" + c[2] for c in CASES])
def test_a_bad_document_names_the_offending_entry(sqlite_admin, document, path, words):
    with pytest.raises(InvalidInput) as caught:
        sqlite_admin.plan(document)

    assert caught.value.field == path
    assert str(caught.value).startswith(path) and words in str(caught.value)
    assert "twilio-token-in-clear" not in str(caught.value)  # a secret written in clear is not repeated
    assert sqlite_admin.list_accounts() == [] and sqlite_admin.audit_frame().empty


@pytest.mark.parametrize("text, words", [
    ("accounts: [name: x", "not valid YAML at line"),
    ('{"accounts": [}', "not valid JSON"),
    ("- just\n- a list\n", "must be a mapping"),
])
def test_text_that_is_not_a_document(sqlite_admin, text, words):
    with pytest.raises(InvalidInput, match=words):
        sqlite_admin.plan(text)


def _laughs(levels: int = 9) -> str:
    """A "billion laughs": 1 KB of YAML whose aliases stand for 9**levels strings."""
    lines = ["version: 1", "accounts:", "- name: Bomb", "  gateway_type: Generic", "  options:",
             "    a0: &a0 [" + ",".join(['"lol"'] * 9) + "]"]
    lines += [f"    a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, words", [
    (_laughs(), "holds more than 5,000,000 values (YAML aliases"),  # walked for ever before
    ("version: 1\naccounts: " + "[" * 50_000 + "]" * 50_000 + "\n", "nests more than 32 levels deep"),  # a RecursionError
    ('{"version": 1, "accounts": ' + "[" * 50_000 + "]" * 50_000 + "}", "nests more than 32 levels deep"),
    ("version: 1\naccounts: " + "[" * 40 + "]" * 40 + "\n", "nests more than 32 levels deep"),  # parsed, then refused
])
def test_hostile_documents_are_refused_quickly_in_one_line(sqlite_admin, text, words):
    with pytest.raises(InvalidInput, match=re.escape(words)) as caught:
        sqlite_admin.plan(text)
    assert caught.value.field == "(document)"


def test_yaml_aliases_within_the_limit_still_work(sqlite_admin):
    text = ("version: 1\naccounts:\n- &nexmo {name: A, gateway_type: Nexmo, user_name: k, sender_id: G, "
            "password: 'env:GOOD_SECRET'}\n- {<<: *nexmo, name: B}\n")
    assert [c.name for c in sqlite_admin.plan(text).changes] == ["A", "B"]


def test_the_document_round_trips_through_yaml_and_json():
    assert config.parse(config.to_yaml(GOOD)) == GOOD
    assert config.parse(config.to_json(GOOD)) == GOOD
