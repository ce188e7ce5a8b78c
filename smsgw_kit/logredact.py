"""Keeping secrets out of log records: our loggers and httpx's and httpcore's mask every secret in use.

Gateways hand the secrets of the settings they build an HTTP client for to `remember`; a filter on
each of those loggers masks them (in every encoding `masking` knows) in the message, its arguments and
any traceback, at every level. Logging filters do not reach child loggers, so the filter is put on
each logger of those libraries by name, again whenever a client is built (new children appear lazily).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable

from . import masking

LOGGER_PREFIXES = ("smsgw_kit", "httpx", "httpcore", "hpack", "h11", "h2")
KNOWN_LOGGERS = ("smsgw_kit", "httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2",
                 "httpcore.proxy", "httpcore.socks")
_MAX = 1024  # secrets remembered at once; the oldest are forgotten first
_secrets: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()


def remember(secrets: Iterable[str | None], *, install_filter: bool = True) -> None:
    """Mask these secrets in every log record from now on.

    `install_filter=False` skips putting the filter on loggers again when only known secrets are
    given (a pooled client reused for a send: no new logger can have appeared since it was built).
    """
    wanted = [secret for secret in secrets if secret]
    # Known secrets while the registry is far from full need no lock: none can be forgotten before at
    # least _MAX / 2 others arrive, and from then on every call takes the lock and refreshes its own.
    # (A pooled client asks on every request; 50 threads queueing on the lock cost a batch ~7% of its time.)
    if len(_secrets) < _MAX // 2 and all(secret in _secrets for secret in wanted):
        if install_filter:
            install()
        return
    added = False
    with _lock:
        for secret in wanted:
            added = added or secret not in _secrets
            _secrets[secret] = None
            _secrets.move_to_end(secret)
        while len(_secrets) > _MAX:
            _secrets.popitem(last=False)
    if install_filter or added:
        install()


def _known() -> list[str]:
    with _lock:
        return list(_secrets)


class SecretFilter(logging.Filter):
    """Masks the remembered secrets in a record (its message made final, and its traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _known()
        if not secrets:
            return True
        message = record.getMessage()
        masked = masking.mask(message, secrets)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = masking.mask(record.exc_text, secrets)
        return True


FILTER = SecretFilter()


def install() -> None:
    """Put the filter on our loggers and on every httpx/httpcore logger that exists now (idempotent)."""
    names = set(KNOWN_LOGGERS) | {n for n in list(logging.root.manager.loggerDict)
                                  if n.split(".")[0] in LOGGER_PREFIXES}
    for name in names:
        logger = logging.getLogger(name)
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)
