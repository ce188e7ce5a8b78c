"""Test Connection's optional Delivered stage: ask the provider, up to a time limit, whether the test arrived."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

from .diagnostics import ConnectionReport, StageResult
from .gateways import GatewaySettings, get_gateway_type
from .gateways.delivery import DeliveryStatus, check_delivery

POLL_EVERY = 0.5
MAX_WAIT = 600.0
Progress = Callable[[float, float, DeliveryStatus], None]  # (waited s, limit s, last status)


def _stage(outcome: str, started: float, reason: str) -> StageResult:
    return StageResult(name="delivered", outcome=outcome, duration_ms=round((time.perf_counter() - started) * 1000, 1),
                       reason=reason)


def wait_delivered(gateway_type: str, settings: GatewaySettings, message_id: str | None, *, limit: float,
                   on_progress: Progress | None = None, cancel: threading.Event | None = None,
                   poll_every: float = POLL_EVERY) -> StageResult:
    """Poll the provider until the message is delivered or undelivered, `limit` seconds pass or `cancel` is set."""
    started = time.perf_counter()
    cancel = cancel or threading.Event()
    with get_gateway_type(gateway_type)(settings) as gateway:
        while True:
            status = check_delivery(gateway, message_id)
            waited = time.perf_counter() - started
            if on_progress:
                on_progress(waited, limit, status)
            if status.status == "unsupported":
                return _stage("unsupported", started, status.reason)
            if status.status == "delivered":
                return _stage("passed", started, f"delivered: {status.reason}")
            if status.status == "undelivered":
                return _stage("failed", started, f"not delivered: {status.reason}")
            if waited + poll_every > limit:
                return _stage("skipped", started, f"gave up after {limit:g} s: still {status.status} ({status.reason})")
            if cancel.wait(poll_every):
                return _stage("skipped", started, f"cancelled after {waited:.1f} s: still {status.status}")


def add_delivered_stage(report: ConnectionReport, gateway_type: str, settings: GatewaySettings, *,
                        limit: float | None, **options) -> ConnectionReport:
    """`report` with a Delivered stage appended (skipped when the message stage did not pass)."""
    if not limit:
        return report
    message = report.stage("message")
    if message is None or message.outcome != "passed":
        stage = StageResult(name="delivered", outcome="skipped", duration_ms=0.0,
                            reason="not run: no test message was accepted")
    else:
        stage = wait_delivered(gateway_type, settings, report.message_id, limit=min(limit, MAX_WAIT), **options)
    return replace(report, stages=(*report.stages, stage))
