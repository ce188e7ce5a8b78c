"""Test Connection: run proxy, connection, credentials and message stages and report each in plain words."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from . import collector
from .gateways.base import GatewaySettings
from .gateways.gateway import Gateway
from .gateways.http import ClientPool, proxy_url, redact
from .gateways.message import MAY_HAVE_BEEN_SENT as GENERIC_MAY_HAVE_BEEN_SENT
from .gateways.message import CheckResult, ShortMessage
from .gateways.registry import get_gateway_type
from .models import TEXT_MAX
from .phone import PhoneNumber, parse_phone
from .rules import clean_text

log = logging.getLogger("smsgw_kit.diagnostics")
STAGES = ("proxy", "connection", "credentials", "message")
DEFAULT_TEST_MESSAGE = "smsgw_kit test message: your SMS gateway account works. Code [Code]"
ReportOutcome = Literal["passed", "failed", "unsupported"]
Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True, kw_only=True)
class StageResult:
    """One stage of a Test Connection: its outcome, how long it took and why."""

    name: str
    outcome: str  # passed | failed | skipped | unsupported
    duration_ms: float
    reason: str


@dataclass(frozen=True, kw_only=True)
class ConnectionReport:
    """The result of one Test Connection run, safe to store and show (it never holds a secret)."""

    gateway_type: str
    outcome: ReportOutcome
    stages: tuple[StageResult, ...]
    summary: str
    duration_ms: float
    message_id: str | None = None
    recipient: str | None = None
    started_at: str = ""

    def stage(self, name: str) -> StageResult | None:
        return next((s for s in self.stages if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stages"] = [asdict(s) for s in self.stages]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConnectionReport:
        stages = tuple(StageResult(**s) for s in data.get("stages", ()))
        return cls(**{**data, "stages": stages})


def _timed(name: str, check: Callable[[], CheckResult], settings: GatewaySettings) -> StageResult:
    start = time.perf_counter()
    try:
        result = check()
        outcome, reason = result.outcome, result.reason
    except Exception as exc:  # noqa: BLE001 - a plugin's bug is this stage's failure, not the whole run's crash
        outcome, reason = "failed", f"the gateway raised {type(exc).__name__}: {exc}"
    elapsed = (time.perf_counter() - start) * 1000
    return StageResult(name=name, outcome=outcome, duration_ms=round(elapsed, 1), reason=redact(reason, settings))


def _skipped(name: str, reason: str) -> StageResult:
    return StageResult(name=name, outcome="skipped", duration_ms=0.0, reason=reason)


MAY_HAVE_BEEN_SENT = "the test message may have been sent to {phone}: check that phone before testing again"


def _proxy_check(gateway: Any) -> CheckResult:
    """The proxy stage: the proxy must answer at all before what lies behind it can be judged."""
    silent = _silent_proxy(gateway.settings, gateway.url, gateway.info.name)
    return silent if silent is not None else gateway.test_proxy()


def _silent_proxy(settings: GatewaySettings, url: str, provider: str) -> CheckResult | None:
    """A failure when the proxy takes the connection but never answers an HTTP CONNECT; else None.

    A working proxy answers CONNECT at once (200, 403, 407 or 502); one that says nothing is the
    proxy's fault, and must not read as "the provider did not answer".
    """
    if settings.proxy is None:
        return None
    where = proxy_url(settings.proxy)
    proxy, target = urlsplit(where), urlsplit(url)
    if not (proxy.hostname and proxy.port and target.hostname):
        return None
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        with socket.create_connection((proxy.hostname, proxy.port), timeout=settings.connect_timeout) as conn:
            conn.settimeout(settings.read_timeout)
            conn.sendall(f"CONNECT {target.hostname}:{port} HTTP/1.1\r\nHost: {target.hostname}:{port}\r\n\r\n".encode())
            first = conn.recv(64)
    except TimeoutError:
        return CheckResult.fail(f"the proxy {where} accepted the connection but did not answer within "
                                f"{settings.read_timeout:g} s; {provider} was not reached")
    except OSError:
        return None  # unreachable proxies are reported by the gateway's own proxy check
    if not first.startswith(b"HTTP/"):
        return CheckResult.fail(f"the proxy {where} did not answer as an HTTP proxy; {provider} was not reached")
    return None


def _message_check(gateway, message: ShortMessage, phone: PhoneNumber, ids: list) -> Callable[[], CheckResult]:
    def check() -> CheckResult:
        result = gateway.send(message)
        if result.uncertain:
            # the gateway's general warning gives way to the test's own, which names the phone to check
            why = (result.error or "").replace(GENERIC_MAY_HAVE_BEEN_SENT, "").strip("; ")
            why = why or f"{gateway.info.name}'s reply could not be read"
            return CheckResult.fail(f"{why}; {MAY_HAVE_BEEN_SENT.format(phone=phone.e164)}")
        if not result.success:
            return CheckResult.fail(result.error or "the provider refused the message")
        ids.append(result.message_id)
        shown = f" (message id {result.message_id})" if result.message_id else ""
        return CheckResult.ok(f"{gateway.info.name} accepted the test message to {phone.e164}{shown}")
    return check


def run_connection_test(gateway_type: str, settings: GatewaySettings, phone: str | None, *,
                        message: str | None = None, pool: ClientPool | None = None) -> ConnectionReport:
    """Run the stages in order and report each; raises InvalidInput (before any traffic) for bad input.
    With `pool`, the gateway uses the batch's shared connections."""
    cls = get_gateway_type(gateway_type)
    name = cls.info.name
    message = clean_text(message, "message", max_len=TEXT_MAX, multiline=True)
    recipient = parse_phone(phone) if phone is not None else None
    gateway = cls(settings)
    gateway.pool = pool
    gateway.check_settings()
    test_message = ShortMessage(message=message or DEFAULT_TEST_MESSAGE, access_code="123456",
                                recipients=(recipient.digits,) if recipient else ())
    if recipient:
        test_message.validate()
    started_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    begin = time.perf_counter()
    ids: list[str | None] = []
    checks = {
        "proxy": (lambda: _proxy_check(gateway)) if settings.proxy else None,
        "connection": gateway.test_connection,
        "credentials": gateway.test_credentials,
        "message": _message_check(gateway, test_message, recipient, ids) if recipient else None,
    }
    stages: list[StageResult] = []
    with gateway:
        for stage in STAGES:
            failed = next((s for s in stages if s.outcome == "failed"), None)
            if failed:
                stages.append(_skipped(stage, f"not run: the {failed.name} stage failed"))
            elif (check := checks[stage]) is None:
                why = "no proxy configured" if stage == "proxy" else "no phone number given"
                stages.append(_skipped(stage, why))
            else:
                stages.append(_timed(stage, check, settings))
    outcome, summary = _verdict(name, stages, recipient)
    return ConnectionReport(
        gateway_type=name, outcome=outcome, stages=tuple(stages), summary=summary,
        duration_ms=round((time.perf_counter() - begin) * 1000, 1), message_id=ids[0] if ids else None,
        recipient=recipient.e164 if recipient else None, started_at=started_at,
    )


def _verdict(name: str, stages: list[StageResult], recipient: PhoneNumber | None) -> tuple[ReportOutcome, str]:
    by_name = {s.name: s for s in stages}
    failed = next((s for s in stages if s.outcome == "failed"), None)
    if failed:
        return "failed", f"Test Connection failed at the {failed.name} stage: {failed.reason}."
    if recipient:
        return "passed", f"{name} works: {by_name['message'].reason}."
    credentials = by_name["credentials"]
    if credentials.outcome == "unsupported":
        return "unsupported", (f"{name} is reachable, but its credentials cannot be checked without sending "
                               "(give a phone number to send a test message).")
    return "passed", f"{name} is reachable and accepted the credentials; no test message was sent."


def not_started(gateway_type: str, exc: Exception, settings: GatewaySettings | None = None) -> ConnectionReport:
    """The failed report of a run that could not start (bad settings, or secrets that cannot be decrypted)."""
    settings = settings or GatewaySettings()
    return ConnectionReport(
        gateway_type=str(gateway_type), outcome="failed", stages=(), duration_ms=0.0,
        summary=redact(f"Test Connection could not start: {exc}", settings),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _progress(callback: Callable[..., None], *args: Any) -> None:
    """Tell the caller's progress callback; its own failure must not lose the tests that already ran."""
    try:
        callback(*args)
    except Exception:  # any bug in the caller's callback is logged, not raised
        log.warning("the on_progress callback failed; the tests go on", exc_info=True)


# While a batch runs the cycle collector is paused: each collection stops every thread, and a full one
# walks the whole heap (a notebook's DataFrames included). The young generations are collected every
# COLLECT_EVERY finished tests, so a long batch's memory stays bounded (2,000 accounts: 160 MB peak,
# against 196 MB with no collection at all). With the longest tests first, 200 accounts at 100 ms went
# from 1.48-1.60 s (in the caller's order, collector on, 0.5 ms switch interval) to 1.26-1.30 s.
COLLECT_EVERY = 100


def _round_trips(gateway_type: str, settings: GatewaySettings, phone: str | None) -> int:
    """About how many requests a test makes when every stage passes: what orders a batch, longest first."""
    try:
        cls = get_gateway_type(gateway_type)
    except Exception:  # noqa: BLE001 - an unknown type fails at once, without traffic
        return 0
    checks = cls.check_credentials is not Gateway.check_credentials  # else "unsupported", without traffic
    return 1 + (settings.proxy is not None) + checks + (phone is not None)


def run_connection_tests(
    jobs: Iterable[tuple[Key, str, GatewaySettings]], phone: str | None, *, concurrency: int = 16,
    on_progress: Callable[[int, int, Key, ConnectionReport], None] | None = None,
    message: str | None = None, cancel: threading.Event | None = None,
) -> dict[Key, ConnectionReport]:
    """Test many accounts at once, at most `concurrency` at a time; report progress as each finishes.

    Setting `cancel` stops tests that have not started yet; those already running finish (a message
    may be on its way), and only the finished ones are returned.
    """
    if phone is not None:
        parse_phone(phone)
    job_list = list(jobs)
    for gateway_type in {gateway_type for _, gateway_type, _ in job_list}:
        # Plugins are discovered once, here, not by every worker thread waiting on the first discovery;
        # an unknown type is each of its accounts' own failed report below.
        with contextlib.suppress(Exception):
            get_gateway_type(gateway_type)
    # Longest first (the classic rule for the shortest batch): tests that make the most round trips
    # start first and the short ones fill the gaps at the end, since a batch ends when its last
    # thread does (a thread given 13 round trips where 12 would do costs a tenth of a second). Reports
    # still come back in `jobs` order.
    started = sorted(job_list, key=lambda job: -_round_trips(job[1], job[2], phone))

    def one(gateway_type: str, settings: GatewaySettings) -> ConnectionReport | None:
        if cancel is not None and cancel.is_set():
            return None
        try:
            return run_connection_test(gateway_type, settings, phone, message=message, pool=clients)
        except Exception as exc:  # noqa: BLE001 - one account's bad settings must not stop the others
            return not_started(gateway_type, exc, settings)

    reports: dict[Key, ConnectionReport] = {}
    # One client per (proxy, CA bundle, timeouts) for the whole batch, closed when the batch ends.
    workers = max(1, min(concurrency, len(job_list) or 1))
    with collector.paused(), ClientPool() as clients, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(one, gateway_type, settings): key for key, gateway_type, settings in started}
        for future in as_completed(futures):
            key, report = futures[future], future.result()
            if report is None:
                continue
            reports[key] = report
            if len(reports) % COLLECT_EVERY == 0:
                collector.collect_young()
            if on_progress:
                _progress(on_progress, len(reports), len(job_list), key, report)
    return {key: reports[key] for key, _, _ in job_list if key in reports}
