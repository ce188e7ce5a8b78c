"""The exception tree every layer of smsgw_kit raises, each error phrased for the operator.

    SmsgwError
    ├── InvalidInput                    bad input for one field; nothing was changed
    │   └── UnknownGatewayType          the gateway type is not registered (suggests the near miss)
    ├── NotFound                        no account or identity store with that name or id
    ├── Conflict                        the request clashes with the current state; nothing changed
    │   ├── DuplicateName               another account/store already has that name
    │   ├── StaleEdit                   someone else saved the object since it was read
    │   └── AccountLinked               delete refused: identity stores use the account (linked, fallback, route)
    ├── SecretsError                    the encryption key is missing, unreadable or wrong
    │   ├── KeyNeeded                   the action needs a secret and this connection holds no key
    │   └── StaleKey                    another session rotated the key since this one loaded its keys
    ├── ReadOnly                        a write on a connection opened with read_only=True
    ├── StorageError                    the database cannot be opened or upgraded
    ├── PluginError                     a gateway plugin failed to load (reported, never fatal)
    └── GatewayError                    talking to an SMS provider failed
        ├── ProxyFailed                 the proxy refused, rejected the credentials or is unreachable
        ├── ConnectFailed               DNS, TCP or TLS to the provider failed (safe to retry)
        └── GatewayTimeout              the provider did not answer in time (a send may have gone out)

Lower-level errors (SQLAlchemy, httpx, phonenumbers, cryptography) are translated into these at one
boundary each, with ``raise ... from exc``; no message ever carries a secret.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


class SmsgwError(Exception):
    """Raised for every failure smsgw_kit reports to the operator."""


class InvalidInput(SmsgwError, ValueError):
    """Raised when a field's value is not allowed; names the field and what is allowed."""

    def __init__(self, field: str, problem: str, *, allowed: str | None = None, label: str | None = None):
        self.field = field
        self.problem = problem
        self.allowed = allowed
        self.label = label
        text = f"{field} ({label}): {problem}" if label else f"{field}: {problem}"
        if allowed:
            text += f" ({allowed})"
        super().__init__(text)


class UnknownGatewayType(InvalidInput):
    """Raised when a gateway type name is not among the registered gateway types."""

    def __init__(self, name: str, known: Iterable[str]):
        import difflib

        known = sorted(known)
        near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"Did you mean {near[0]!r}? " if near else ""
        super().__init__(
            "gateway_type",
            f"unknown gateway type {name!r}. {hint}".rstrip(),
            allowed="one of: " + ", ".join(known),
        )
        self.suggestion = near[0] if near else None


class NotFound(SmsgwError, LookupError):
    """Raised when no account or identity store matches the given name or id."""

    def __init__(self, kind: str, ref: object):
        self.kind = kind
        self.ref = ref
        how = "id" if isinstance(ref, int) else "name"
        super().__init__(f"No {kind} with {how} {ref!r}.")


class Conflict(SmsgwError):
    """Raised when a request clashes with the current state of the database."""


class DuplicateName(Conflict, InvalidInput):
    """Raised when another account or store already uses the name (case-insensitively, trimmed)."""

    def __init__(self, kind: str, name: str):
        InvalidInput.__init__(
            self, "name", f"another {kind} is already named {name.strip()!r}",
            allowed="names are unique, ignoring case and surrounding spaces",
        )


class StaleEdit(Conflict):
    """Raised when the object was changed by someone else after the caller read it."""

    def __init__(self, kind: str, name: str, read_version: int | None, current_version: int | None, *,
                 changed_by: str | None = None, changed_at: datetime | None = None):
        self.read_version = read_version
        self.current_version = current_version
        self.changed_by, self.changed_at = changed_by, changed_at
        who = f" by {changed_by}" if changed_by else ""
        when = f" at {changed_at:%Y-%m-%d %H:%M:%S} UTC" if changed_at else ""
        super().__init__(
            f"The {kind} {name!r} was changed by someone else since you opened it{':' if who or when else ''}"
            f"{who}{when} (your copy: version {read_version}, now: version {current_version}). "
            "Reload it and apply your changes again."
        )


class AccountLinked(Conflict):
    """Raised when deleting an account that identity stores still use; names those stores."""

    def __init__(self, account: str, stores: Iterable[str], *, uses: Iterable[tuple[str, str]] = ()):
        self.account = account
        self.uses = list(uses)  # (store, role): role is "linked", "fallback" or "route for +44"
        self.stores = sorted(set(stores) | {store for store, _ in self.uses})
        if all(role == "linked" for _, role in self.uses):
            names = ", ".join(repr(s) for s in self.stores)
            super().__init__(
                f"The SMS gateway account {account!r} cannot be deleted: it is linked to the "
                f"identity store(s) {names}. Link them to another account first."
            )
            return
        roles = ", ".join(f"{store!r} ({role})" for store, role in self.uses)
        super().__init__(
            f"The SMS gateway account {account!r} cannot be deleted: identity stores use it: {roles}. "
            "Link those stores to another account and take it out of their fallbacks and routes first."
        )


class SecretsError(SmsgwError):
    """Raised when credentials cannot be encrypted or decrypted with the available keys."""


class KeyNeeded(SecretsError):
    """Raised when an action needs a secret (test, save a password, rotate) and no key is loaded."""


class StaleKey(SecretsError, Conflict):
    """Raised when the database's current key changed (another session rotated it); nothing was saved."""


class ReadOnly(SmsgwError):
    """Raised when a connection opened with read_only=True is asked to change something."""


class StorageError(SmsgwError):
    """Raised when the database cannot be reached, opened or migrated."""


class PluginError(SmsgwError):
    """Raised (and collected, never fatal) when a gateway plugin cannot be loaded."""


class GatewayError(SmsgwError):
    """Raised when talking to an SMS provider fails."""

    may_have_been_sent: bool = False  # set on a send that failed after the request went out


class ProxyFailed(GatewayError):
    """Raised when the proxy is unreachable or refuses the request or its credentials."""


class ConnectFailed(GatewayError):
    """Raised when DNS, TCP or TLS to the provider fails before anything was sent."""


class GatewayTimeout(GatewayError):
    """Raised when the provider does not answer in time; a message may have been sent."""

