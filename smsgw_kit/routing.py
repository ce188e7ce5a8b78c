"""Which accounts a code goes through, in what order, and the never-twice failover rule of send_code.

The order for one number: the store's route for the number's region, then for its calling code,
then the linked account, then the fallbacks; an account that failed recently (a send or a Test
Connection within the cool-down, with no success since) goes to the back. send_code moves to the
next account only when `classify` says the failure proves the provider did not accept the message.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal, cast

import phonenumbers
import sqlalchemy as sa
from sqlmodel import Session, col

from . import accounts, routes
from .errors import (
    ConnectFailed,
    GatewayError,
    GatewayTimeout,
    InvalidInput,
    ProxyFailed,
    SecretsError,
)
from .gateways import GatewaySettings, SendResult, ShortMessage, get_gateway_type
from .gateways.http import ClientPool
from .models import (
    ConnectionTestRun,
    DeliveryAttempt,
    IdentityStore,
    RoutingSettings,
    utcnow,
)
from .phone import PhoneNumber, parse_with_country

Verdict = Literal["sent", "not_sent", "unknown"]
CODE_ALLOWED = "4 to 10 digits"


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """One account a number would be tried through, its place in the order and why it is there."""

    position: int
    account_id: int
    account: str
    gateway_type: str
    role: str  # "route for +44", "linked", "fallback 2"
    why: str
    cooling_down: bool = False


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """What happened with one account during one send_code call."""

    position: int
    account: str
    account_id: int | None
    gateway_type: str
    role: str
    stage: str  # settings | proxy | connect | send | provider | reply
    outcome: Verdict
    reason: str
    at: str
    duration_ms: float
    message_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeliveryReport:
    """The outcome of send_code: every attempt, the account used and the provider's message id.

    `outcome` is "sent", "may_have_been_sent" (stopped after a timeout or an unreadable reply: the
    user may already have the code, so no other account was tried), "failed" (no account accepted
    it) or "no_account" (the store has no account for this number). `code` is never in the repr.
    `log_error` says why the delivery log could not be written (None when it was).
    """

    send_id: str
    store: str
    phone: str  # masked: only the last 4 digits shown
    country: str
    outcome: Literal["sent", "may_have_been_sent", "failed", "no_account"]
    summary: str
    attempts: tuple[Attempt, ...] = ()
    account: str | None = None
    gateway_type: str | None = None
    message_id: str | None = None
    log_error: str | None = None
    code: str = field(default="", repr=False)

    @property
    def sent(self) -> bool:
        return self.outcome == "sent"

    @property
    def may_have_been_sent(self) -> bool:
        return self.outcome in ("sent", "may_have_been_sent")

    def to_dict(self) -> dict[str, Any]:
        """The report without the code, safe to store, log or show."""
        data = asdict(self)
        data.pop("code")
        return data


@dataclass(frozen=True)
class _Job:
    """Everything send_code needs once the database has been read: no session is held while sending."""

    send_id: str
    store_id: int
    store: str
    phone: PhoneNumber
    country: tuple[int, str]  # (calling code, region)
    message: ShortMessage
    plan: list[Candidate]
    settings: dict[int, GatewaySettings | Exception]


def mask_phone(phone: PhoneNumber | str, calling_code: int | None = None) -> str:
    """+44•••••••2712: the calling code (parsed unless given) and the last 4 digits only."""
    e164 = phone.e164 if isinstance(phone, PhoneNumber) else str(phone)
    if calling_code is None and e164.startswith("+"):
        calling_code = phonenumbers.parse(e164).country_code
    code = str(calling_code) if calling_code is not None and e164.startswith("+") else ""
    rest = e164[1 + len(code):] if code else e164
    return f"+{code}" + "•" * max(len(rest) - 4, 0) + rest[-4:]


def new_code() -> str:
    """A 6-digit one-time code from the operating system's secure random source."""
    return f"{secrets.randbelow(1_000_000):06d}"


def clean_code(code: Any) -> str:
    if code is None:
        return new_code()
    if not isinstance(code, str) or not code.isdigit() or not 4 <= len(code) <= 10:
        raise InvalidInput("code", "is not a one-time code", allowed=CODE_ALLOWED)
    return code


# --- settings -----------------------------------------------------------------------------------

def settings(session: Session) -> RoutingSettings:
    """The routing settings (defaults until someone changes them)."""
    return session.get(RoutingSettings, 1) or RoutingSettings()


def change_settings(session: Session, ctx: accounts.Context, *, cooldown_seconds: Any = None,
                    retention_days: Any = None) -> RoutingSettings:
    from . import audit

    row = session.get(RoutingSettings, 1) or RoutingSettings()
    before = row.model_dump(exclude={"id"})
    if cooldown_seconds is not None:
        if isinstance(cooldown_seconds, bool) or not isinstance(cooldown_seconds, int | float) \
                or not 0 <= cooldown_seconds <= 86_400:
            raise InvalidInput("cooldown_seconds", f"{cooldown_seconds!r} is not allowed",
                               allowed="0 to 86400 seconds (0 turns the cool-down off)")
        row.cooldown_seconds = float(cooldown_seconds)
    if retention_days is not None:
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or not 1 <= retention_days <= 3650:
            raise InvalidInput("retention_days", f"{retention_days!r} is not allowed", allowed="1 to 3650 days")
        row.retention_days = retention_days
    session.add(row)
    after = row.model_dump(exclude={"id"})
    if after != before:
        audit.record(session, actor=ctx.actor, action="routing.settings", row=None, object_kind="settings",
                     object_name="routing", before=before, after=after)
    return row


# --- the order ----------------------------------------------------------------------------------

# What a send and a preview read of the store (one Core query), with the cool-down setting folded in.
STORES, SETTINGS = IdentityStore.metadata.tables["identity_store"], RoutingSettings.metadata.tables["routing_settings"]
_COOLDOWN = sa.func.coalesce(sa.select(SETTINGS.c.cooldown_seconds).where(SETTINGS.c.id == 1).scalar_subquery(),
                             RoutingSettings().cooldown_seconds).label("cooldown_seconds")
STORE_COLUMNS = (STORES.c.id.label("store_id"), STORES.c.name.label("store_name"), STORES.c.sms_text, _COOLDOWN)
# A preview never reads the ciphertext columns (a read-only connection may not); a send reads the settings.
_A = accounts.ACCOUNTS.c
PREVIEW_COLUMNS = (_A.id, _A.name, _A.gateway_type)


def _ordered_roles(roles: routes.Roles, country: tuple[int, str]) -> list[tuple[sa.Row, str, str]]:
    """(account row, role, why) in configured order, each account once (its first role wins)."""
    code, region = country
    store_routes, linked, fallbacks = roles
    found: list[tuple[sa.Row, str, str]] = []
    for route, account in sorted(store_routes, key=lambda ca: ca[0].region is None):
        if route.region == region or (route.region is None and route.calling_code == code):
            found.append((account, f"route for {route.label}",
                          f"the number is in {region} (+{code}), which this route covers"))
    if linked is not None:
        found.append((linked, "linked", "the store's linked account"))
    for i, account in enumerate(fallbacks, start=1):
        found.append((account, f"fallback {i}", f"fallback {i} of the store"))
    seen: set[int] = set()
    ordered: list[tuple[sa.Row, str, str]] = []
    for f in found:
        if f[0].id not in seen:
            seen.add(f[0].id)
            ordered.append(f)
    return ordered


def _last_times(conn: sa.Connection, ids: list[int], since: datetime) -> dict[int, tuple[datetime | None, datetime | None, str]]:
    """Per account: (last failure, last success, what failed) since `since`, from the delivery log and tests.

    Only the cool-down window is read (a range on the indexed time columns), so a long log costs nothing.
    """
    out: dict[int, tuple[datetime | None, datetime | None, str]] = dict.fromkeys(ids, (None, None, ""))
    if not ids:
        return out
    D, T = DeliveryAttempt, ConnectionTestRun
    sends = (sa.select(sa.literal("a send").label("what"), col(D.gateway_account_id), col(D.outcome),
                       sa.func.max(D.at).label("at"))
             .where(col(D.at) >= since, col(D.gateway_account_id).in_(ids))
             .group_by(col(D.gateway_account_id), col(D.outcome)))
    tests = (sa.select(sa.literal("a Test Connection"), col(T.gateway_account_id), col(T.outcome), sa.func.max(T.started_at))
             .where(col(T.started_at) >= since, col(T.gateway_account_id).in_(ids), col(T.outcome).in_(("passed", "failed")))
             .group_by(col(T.gateway_account_id), col(T.outcome)))
    rows = conn.execute(sa.union_all(sends, tests)).all()  # one round trip for both
    for what, row_account_id, outcome, at in rows:
        account_id = cast(int, row_account_id)  # one of `ids`: never NULL
        failed = outcome in ("not_sent", "unknown", "failed")
        fail, ok, label = out[account_id]
        if failed and (fail is None or at > fail):
            out[account_id] = (at, ok, what)
        elif not failed and (ok is None or at > ok):
            out[account_id] = (fail, at, label)
    return out


def _plan(conn: sa.Connection, store: sa.Row, roles: routes.Roles,
          country: tuple[int, str]) -> list[tuple[Candidate, sa.Row]]:
    """The accounts a code would be tried through, in order, each with the reason and its account row."""
    found = _ordered_roles(roles, country)
    now = utcnow()
    cooldown = timedelta(seconds=store.cooldown_seconds)
    times = _last_times(conn, [a.id for a, _, _ in found], now - cooldown) if cooldown else {}
    ready: list[tuple[sa.Row, str, str, bool]] = []
    cooling: list[tuple[sa.Row, str, str, bool]] = []
    for account, role, why in found:
        fail, ok, what = times.get(account.id, (None, None, ""))
        recent = cooldown and fail is not None and fail > now - cooldown and (ok is None or ok < fail)
        if recent:
            assert fail is not None  # recent: a failure within the cool-down
            ago = int((now - fail).total_seconds())
            why += f"; moved to the back: {what} failed {ago} s ago (cool-down {int(cooldown.total_seconds())} s)"
        (cooling if recent else ready).append((account, role, why, bool(recent)))
    return [(Candidate(position=i, account_id=a.id, account=a.name, gateway_type=a.gateway_type, role=r, why=w,
                       cooling_down=c), a) for i, (a, r, w, c) in enumerate(ready + cooling, start=1)]


# --- the never-twice rule -----------------------------------------------------------------------

def classify(*, result: SendResult | None = None, error: BaseException | None = None) -> tuple[Verdict, str, str]:
    """(verdict, stage, reason) for one attempt: the ONE place that decides whether to fail over.

    "not_sent" only when the failure proves the provider did not accept the message: nothing was
    written (settings, DNS, TCP, TLS, proxy refusal) or the provider answered with a rejection of
    its own. A timeout after the request was written, an unreadable reply, a 5xx server error or an
    unexpected exception is "unknown": the message may have gone out, so no other account is tried.
    When the gateway layer marks results whose outcome is unknown (issue 8), test that mark here.
    """
    if error is not None:
        text = str(error) or type(error).__name__
        if isinstance(error, InvalidInput | SecretsError):
            return "not_sent", "settings", f"not sent: the account's settings are unusable ({text})"
        if isinstance(error, ProxyFailed):
            return "not_sent", "proxy", text
        if isinstance(error, ConnectFailed):
            return "not_sent", "connect", text
        if isinstance(error, GatewayTimeout):
            return "unknown", "send", text
        if isinstance(error, GatewayError):
            return "unknown", "reply", text
        return "unknown", "send", f"the gateway raised {type(error).__name__}: {text}; the message may have been sent"
    assert result is not None
    if result.success:
        return "sent", "send", f"{result.provider} accepted the message" + (
            f" (message id {result.message_id})" if result.message_id else "")
    code = result.error_code
    if code is None:
        return "unknown", "reply", f"{result.error or 'unreadable reply'}; the message may have been sent"
    if code.isdigit() and len(code) == 3 and code.startswith("5"):
        return "unknown", "reply", f"{result.error}: a server error; the message may have been sent"
    return "not_sent", "provider", result.error or f"{result.provider} rejected the message (status {code})"


# --- send_code ----------------------------------------------------------------------------------

def prepare(conn: sa.Connection, ctx: accounts.Context, store_ref: Any, phone: Any, code: Any) -> _Job:
    """Read what a send needs (store, order, decrypted settings) on `conn`, before any network traffic.

    SQLAlchemy Core, one statement (a second for the recent failures when a cool-down is set), so it
    may run without a transaction around it: this runs before every code a user waits for. Nothing
    is cached between sends, so a change made by any connection is seen by the next send.
    """
    number, calling_code, region = parse_with_country(phone)
    code = clean_code(code)
    store, roles = routes.store_and_roles(conn, store_ref, STORE_COLUMNS, accounts.SEND_COLUMNS)
    send_id = uuid.uuid4().hex
    message = ShortMessage(message=store.sms_text, access_code=code, recipients=(number.digits,),
                           reference_id=send_id)
    message.check_text()  # the one recipient is `number`, parsed above
    country = (calling_code, region)
    order = _plan(conn, store, roles, country)
    found: dict[int, GatewaySettings | Exception] = {}
    for candidate, row in order:
        try:
            found[candidate.account_id] = accounts.settings_of(row, ctx.keyring)
        except SecretsError as exc:
            found[candidate.account_id] = exc
    return _Job(send_id, store.store_id, store.store_name, number, country, message, [c for c, _ in order], found)


def _try(candidate: Candidate, settings_or_error: GatewaySettings | Exception, message: ShortMessage,
         phone: PhoneNumber, last: bool, clients: ClientPool | None) -> Attempt:
    start = time.perf_counter()
    at = utcnow().isoformat(timespec="milliseconds")
    result, error = None, None
    try:
        if isinstance(settings_or_error, Exception):
            raise settings_or_error
        # A refused connection is retried (with back-off) only when no other account is left to try.
        settings = settings_or_error if last else settings_or_error.replace(connect_retries=0)
        with get_gateway_type(candidate.gateway_type)(settings) as gateway:
            gateway.pool = clients
            gateway.check_settings()
            result = gateway.deliver(message, phone)
    except Exception as exc:  # noqa: BLE001 - every failure is classified; none escapes a send half-done
        error = exc
    verdict, stage, reason = classify(result=result, error=error)
    if isinstance(settings_or_error, GatewaySettings):
        from .gateways.http import redact

        reason = redact(reason, settings_or_error)
    return Attempt(position=candidate.position, account=candidate.account, account_id=candidate.account_id,
                   gateway_type=candidate.gateway_type, role=candidate.role, stage=stage, outcome=verdict,
                   reason=reason, at=at, duration_ms=round((time.perf_counter() - start) * 1000, 1),
                   message_id=result.message_id if result is not None and result.success else None)


def send(job: _Job, clients: ClientPool | None = None) -> DeliveryReport:
    """Try the accounts in order; stop at the first that sent, or that may have sent.

    With `clients`, sends reuse its open connections to the providers (a fresh one per send without).
    """
    code, region = job.country
    base: dict[str, Any] = {"send_id": job.send_id, "store": job.store, "phone": mask_phone(job.phone, code),
                            "country": f"+{code} {region}", "code": job.message.access_code}
    if not job.plan:
        return DeliveryReport(**base, outcome="no_account", summary=(
            f"The identity store {job.store!r} has no SMS gateway account for +{code} ({region}): link an "
            "account, add a fallback or a country route."))
    attempts: list[Attempt] = []
    for i, candidate in enumerate(job.plan):
        attempt = _try(candidate, job.settings[candidate.account_id], job.message, job.phone,
                       last=i == len(job.plan) - 1, clients=clients)
        attempts.append(attempt)
        if attempt.outcome != "not_sent":
            return _finish(base, attempts, attempt)
    tried = "; ".join(f"{a.account!r}: {a.reason}" for a in attempts)
    return DeliveryReport(**base, outcome="failed", attempts=tuple(attempts),
                          summary=f"No account accepted the code, so it was not sent. {tried}")


def _finish(base: dict[str, Any], attempts: list[Attempt], last: Attempt) -> DeliveryReport:
    before = [a for a in attempts if a is not last]
    after = (" after " + "; ".join(f"{a.account!r} failed: {a.reason}" for a in before)) if before else ""
    outcome: Literal["sent", "may_have_been_sent"]
    if last.outcome == "sent":
        summary = f"Sent through {last.account!r} ({last.role}){after}."
        outcome = "sent"
    else:
        summary = (f"MAY HAVE BEEN SENT through {last.account!r} ({last.role}){after}: {last.reason}. "
                   "No other account was tried so the user never gets two codes; check the delivery "
                   "status or ask the user before sending again.")
        outcome = "may_have_been_sent"
    return DeliveryReport(**base, outcome=outcome, summary=summary, attempts=tuple(attempts),
                          account=last.account, gateway_type=last.gateway_type, message_id=last.message_id)


def unlogged(report: DeliveryReport, reason: str) -> DeliveryReport:
    """`report` saying that its attempts are not in the delivery log yet, and why."""
    return replace(report, log_error=reason, summary=(
        f"{report.summary} The delivery log could not be written ({reason}): the attempts are kept in memory "
        "and written with the next send."))


def preview(conn: sa.Connection, store_ref: Any, phone: Any) -> list[Candidate]:
    """The order a code to `phone` would take through the store's accounts, without sending."""
    _, calling_code, region = parse_with_country(phone)
    store, roles = routes.store_and_roles(conn, store_ref, STORE_COLUMNS, PREVIEW_COLUMNS)
    return [c for c, _ in _plan(conn, store, roles, (calling_code, region))]

