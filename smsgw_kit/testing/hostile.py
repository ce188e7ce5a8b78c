"""Hostile values for every public operation, and a referee that checks each refusal is declared and changes nothing.

Used by `tests/core/test_hostile_input.py` (a bounded run in the suite) and `benchmarks/hostile_input.py`
(the long run). Needs hypothesis (the `test` extra).
"""

from __future__ import annotations

import math
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st

from .. import GatewayAdmin, SmsgwError, connect
from ..db import Database
from .emulator import ProviderEmulator


def emulator() -> ProviderEmulator:
    """The provider emulator the hostile runs talk to (started once, on loopback)."""
    global _emulator
    if _emulator is None:
        _emulator = ProviderEmulator().start()
    return _emulator

_emulator: ProviderEmulator | None = None
TABLES = ("gateway_account", "identity_store")
APPEND_ONLY = ("audit_event", "connection_test_run")


def _recursive_list() -> list:
    loop: list = [1]
    loop.append(loop)
    return loop


def _recursive_dict() -> dict:
    loop: dict = {"a": 1}
    loop["self"] = loop
    return loop


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


class _Opaque:
    """An object of no expected type whose attributes and str() misbehave."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no {name} here")

    def __str__(self) -> str:
        raise RuntimeError("no str either")


ODD_TEXT = [
    "", " ", "\t", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202eevil\u202c", "Primary\u200b", "\ufeffPrimary",
    "Pri\xadmary", "\u2028", "ﷺ" * 200, "Ω" * 3000, "'; DROP TABLE gateway_account; --", "%", "_", "\\",
    "http://host:99999/x", "http://host:abc/", "http://ho st/", "http://[::1/", "http://", "ftp://x/", "https://x:0/",
    "http://\ud800/", "a b", "-bad-.host", "é" * 64, "8080", " 3128 ", "1e309", "nan", "inf", "-1", "0", "yes",
    "Nexmo", "nexmo ", "Primary", "Backup", "Code: [Code]", "[Code]" * 300, "+447079692712", "447079692712",
    "sqlite://", "postgresql://u@h:abc/x", "nosuch://x", "sqlite:////no/such/dir/x.db", "a" * 300,
]
NUMBERS = [0, 1, -1, 2**31 - 1, 2**31, 2**63, -(2**63), 10**30, 10**5000, 65535, 65536, 8080, 300, 301,
           0.5, -0.0, 1e308, math.nan, math.inf, -math.inf, 8080.0, True, False]

HOSTILE = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.sampled_from(NUMBERS),
    st.none(),
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.text(st.characters(categories=["Cf", "Cs", "Co", "Cc", "Zl"]), min_size=1, max_size=4),
    st.integers(),
    st.floats(),
    st.binary(max_size=10),
    st.just(bytearray(b"x")),
    st.lists(st.sampled_from(["password", "name", "x", 1]), max_size=3),
    st.tuples(st.integers(), st.text(max_size=3)),
    st.sets(st.sampled_from(["password", "proxy_port"]), max_size=2),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), st.one_of(st.floats(), st.text(max_size=5),
                                                                              st.integers()), max_size=3),
    st.builds(_recursive_list), st.builds(_recursive_dict), st.just(_deep(5000)),
    st.datetimes(), st.datetimes(timezones=st.just(UTC)),
    st.builds(object), st.builds(_Opaque), st.just(len), st.just(int), st.complex_numbers(max_magnitude=5),
)
GOOD_NAMES = ["Primary", "Backup", "Corp", "Ünïcødé", "'; DROP TABLE x; --"]
NAMES = st.one_of(st.sampled_from(GOOD_NAMES), st.sampled_from(GOOD_NAMES), HOSTILE)
REFS = st.one_of(st.sampled_from(GOOD_NAMES), st.integers(1, 6), HOSTILE)
TYPES = ["Nexmo", "RedOxygen", "Bulletin.net", "Clickatell", "Twilio", "Generic HTTP"]
ACCOUNT_KEYS = ["gateway_url", "account_id", "user_name", "password", "sender_id", "proxy_user_name",
                "proxy_password", "proxy_description", "proxy_domain", "proxy_host_name", "proxy_port",
                "connect_timeout", "read_timeout", "ca_bundle", "options", "name", "gateway_type", "bogus"]


def _good_account(draw: Callable[[Any], Any]) -> dict[str, Any]:
    gateway_type = draw(st.sampled_from(TYPES))
    fields = {k: v for k, v in emulator().account_settings(gateway_type).items() if v is not None}
    return dict(name=draw(st.sampled_from(GOOD_NAMES)), gateway_type=gateway_type, **fields,
                connect_timeout=2.0, read_timeout=2.0)


def _spoil(draw: Callable[[Any], Any], kwargs: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """Replace zero to two of `keys` (usually one) with hostile values."""
    for key in draw(st.lists(st.sampled_from(keys), min_size=0, max_size=2, unique=True)):
        kwargs[key] = draw(HOSTILE)
    return kwargs


def _create_account(admin: GatewayAdmin, draw: Callable) -> None:
    kwargs = _spoil(draw, {**_good_account(draw), "set_default": draw(st.booleans())}, [*ACCOUNT_KEYS, "set_default"])
    admin.create_account(**kwargs)


def _modify_account(admin: GatewayAdmin, draw: Callable) -> None:
    kwargs = _spoil(draw, {}, [*ACCOUNT_KEYS, "expected_version", "clear", "set_default"])
    admin.modify_account(draw(REFS), **kwargs)


def _create_store(admin: GatewayAdmin, draw: Callable) -> None:
    kwargs = _spoil(draw, {"name": draw(st.sampled_from(GOOD_NAMES)), "sms_text": "Code [Code]"},
                    ["name", "store_type", "sms_text"])
    admin.create_identity_store(**kwargs)


def _configure(admin: GatewayAdmin, draw: Callable) -> None:
    admin.configure_sms_authentication(draw(REFS), account=draw(st.one_of(st.none(), REFS)),
                                       sms_text=draw(st.one_of(st.just("Code [Code]"), HOSTILE)))


def _test_settings(admin: GatewayAdmin, draw: Callable) -> None:
    kwargs = _spoil(draw, {k: v for k, v in _good_account(draw).items() if k != "name"},
                    [*ACCOUNT_KEYS[:-3], "bogus", "gateway_type", "phone", "account", "name", "message"])
    admin.test_settings(**kwargs)


def _test_accounts(admin: GatewayAdmin, draw: Callable) -> None:
    kwargs = _spoil(draw, {"which": draw(st.lists(REFS, max_size=2))}, ["which", "phone", "concurrency", "on_progress"])
    admin.test_accounts(**kwargs)


def _connect(admin: GatewayAdmin, draw: Callable) -> None:
    key = draw(st.sampled_from(["database", "keyring", "actor"]))
    kwargs = {"database": admin.db, "keyring": admin.keyring, "actor": "fuzz", key: draw(HOSTILE)}
    other = connect(**kwargs)
    if other.db is not admin.db:
        other.db.dispose()


OPERATIONS: dict[str, Callable[[GatewayAdmin, Callable], object]] = {
    "create_account": _create_account,
    "modify_account": _modify_account,
    "set_default": lambda a, d: a.set_default(d(REFS)),
    "clear_default": lambda a, d: a.clear_default(),
    "delete_account": lambda a, d: a.delete_account(d(REFS), **_spoil(d, {}, ["expected_version"])),
    "get_account": lambda a, d: a.get_account(d(REFS)),
    "check_deletable": lambda a, d: a.check_deletable(d(REFS)),
    "linked_stores": lambda a, d: a.linked_stores(d(REFS)),
    "create_identity_store": _create_store,
    "link": lambda a, d: a.link(d(REFS), d(REFS)),
    "unlink": lambda a, d: a.unlink(d(REFS)),
    "set_sms_text": lambda a, d: a.set_sms_text(d(REFS), d(st.one_of(st.just("New [Code]"), HOSTILE))),
    "configure_sms_authentication": _configure,
    "get_identity_store": lambda a, d: a.get_identity_store(d(REFS)),
    "delete_identity_store": lambda a, d: a.delete_identity_store(d(REFS)),
    "test_connection": lambda a, d: a.test_connection(d(REFS), d(st.one_of(st.none(), HOSTILE)),
                                                      message=d(st.one_of(st.none(), HOSTILE))),
    "test_settings": _test_settings,
    "test_accounts": _test_accounts,
    "connect": _connect,
    "accounts_page": lambda a, d: a.accounts_page(**_spoil(d, {}, ["search", "offset", "limit"])),
    "test_history_frame": lambda a, d: a.test_history_frame(**_spoil(d, {}, ["account", "run_by", "outcome",
                                                                            "since", "until"])),
    "audit_frame": lambda a, d: a.audit_frame(**_spoil(d, {}, ["actor", "action", "object_name", "since", "until"])),
}


def seed(admin: GatewayAdmin) -> None:
    """A few valid accounts and stores, so hostile calls also meet real rows."""
    if admin.list_accounts():
        return
    for name, gateway_type in (("Primary", "Nexmo"), ("Backup", "Generic HTTP")):
        fields = {k: v for k, v in emulator().account_settings(gateway_type).items() if v is not None}
        admin.create_account(name=name, gateway_type=gateway_type, **fields, set_default=name == "Primary")
    admin.create_identity_store(name="Corp", sms_text="Code [Code]")


def snapshot(db: Database) -> tuple:
    """The whole database as comparable values (append-only tables by count and last id, which is enough)."""
    with db.engine.connect() as conn:
        rows = tuple(tuple(conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY id").all()) for t in TABLES)
        tails = tuple(tuple(conn.exec_driver_sql(f"SELECT count(*), max(id) FROM {t}").one()) for t in APPEND_ONLY)
    return rows + tails


@dataclass
class Tally:
    """What a hostile run saw: calls made, refusals, and the two kinds of failure."""

    calls: int = 0
    refused: int = 0
    undeclared: list[str] = field(default_factory=list)
    partial_writes: list[str] = field(default_factory=list)

    def attempt(self, admin: GatewayAdmin, name: str, draw: Callable) -> None:
        """One call of operation `name`: only SmsgwError may escape it, and a refusal changes nothing."""
        before = snapshot(admin.db)
        self.calls += 1
        try:
            OPERATIONS[name](admin, draw)
        except SmsgwError as exc:
            self.refused += 1
            if not str(exc):
                self.undeclared.append(f"{name}: {type(exc).__name__} without a message")
            if snapshot(admin.db) != before:
                self.partial_writes.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
        except Exception as exc:  # noqa: BLE001 - counting exactly these is the point
            self.undeclared.append(f"{name}: {type(exc).__name__}: {_safe_str(exc)[:300]}")


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a message that cannot be shown is still counted
        return "(message cannot be shown)"


def reset(db: Database) -> None:
    """Empty every table (between batches, so snapshots stay small)."""
    with db.engine.begin() as conn:
        for table in (*APPEND_ONLY, "identity_store", "gateway_account"):
            conn.execute(sa.text(f"DELETE FROM {table}"))


_real_getaddrinfo = socket.getaddrinfo


def loopback_only() -> None:
    """Resolve only loopback names, so a hostile URL never makes a DNS query or leaves the machine."""
    import ipaddress

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        try:
            local = name is None or ipaddress.ip_address(str(name).strip("[]")).is_loopback
        except ValueError:
            local = str(name).lower().rstrip(".") in ("localhost", "localhost.localdomain")
        if not local:
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: hostile runs resolve loopback only")
        return _real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = resolve
