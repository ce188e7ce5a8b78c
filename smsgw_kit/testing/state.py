"""What the emulator remembers: requests it received, credentials it accepts, faults to inject."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One request as the emulator received it (secrets included: it is the test's own data)."""

    provider: str | None
    method: str
    path: str
    scheme: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None
    body: bytes = b""
    basic_auth: tuple[str, str] | None = None

    @property
    def fields(self) -> dict[str, Any]:
        """Query, form and JSON-object fields together, as a provider reads them."""
        extra = self.json if isinstance(self.json, dict) else {}
        return {**self.query, **self.form, **extra}

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def __repr__(self) -> str:
        return f"RecordedRequest({self.provider!r}, {self.method} {self.path})"


@dataclass(kw_only=True)
class Fault:
    """A misbehaviour to inject into the next `count` matching requests (None: until cleared)."""

    provider: str | None = None
    latency: float = 0.0
    status: int | None = None
    timeout: bool = False
    malformed: bool = False
    error: str | None = None
    count: int | None = None
    sends_only: bool = False
    hits: int = 0
    # Only requests made with this account (its API key, account ID, user name or Basic-auth user).
    account: str | None = None

    def matches(self, provider: str | None, sending: bool, request: RecordedRequest | None = None) -> bool:
        # A provider error code is an answer to a send; balance and account checks pass it by.
        if (self.error or self.sends_only) and not sending:
            return False
        if self.account is not None and not _made_by(request, self.account):
            return False
        return (self.provider is None or self.provider == provider) and (self.count is None or self.hits < self.count)


def _made_by(request: RecordedRequest | None, account: str) -> bool:
    if request is None:
        return False
    user = request.basic_auth[0] if request.basic_auth else None
    return account == user or account in request.fields.values()


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What the emulator answers."""

    status: int = 200
    body: str | bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class EmulatorState:
    """Thread-safe store shared by the HTTP and HTTPS servers of one emulator."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._credentials: dict[str, list[dict[str, str | None]]] = {}
        from .receipts import Receipts  # delivery receipts of accepted messages

        self.receipts = Receipts()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def take_faults(self, provider: str | None, sending: bool, request: RecordedRequest | None = None) -> list[Fault]:
        """The faults that apply to this request, each counted as used once."""
        with self._lock:
            hit = [f for f in self._faults if f.matches(provider, sending, request)]
            for f in hit:
                f.hits += 1
            return hit

    def add_credentials(self, provider: str, values: dict[str, str | None]) -> None:
        with self._lock:
            self._credentials.setdefault(provider, []).append(values)

    def accepts(self, provider: str, **given: str | None) -> bool:
        """True when some registered credential set of `provider` has exactly these values."""
        with self._lock:
            sets = list(self._credentials.get(provider, ()))
        return any(all((given[k] or "") == (s.get(k) or "") for k in given) for s in sets)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._faults.clear()
