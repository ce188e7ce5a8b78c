"""Process-wide interpreter settings held while batches run, refcounted so overlapping batches restore them once."""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

# A batch's threads each wait on the network, then need the interpreter for a moment to read the reply.
# With Python's default switch interval (5 ms) a thread busy building a request keeps the interpreter
# while replies wait, and with 50 threads those waits add up to a tenth of the batch's time.
BATCH_SWITCH_INTERVAL = 0.0005


class _Held:
    """One setting: changed when the first holder enters, its saved value put back when the last leaves."""

    def __init__(self, read: Callable[[], Any], change: Callable[[Any], None]) -> None:
        self._read, self._change = read, change
        self._lock = threading.Lock()
        self._holders = 0
        self._saved: Any = None

    def saved(self) -> Any:
        """The value before the first holder changed it (the current one when nobody holds it)."""
        with self._lock:
            return self._saved if self._holders else self._read()

    @contextlib.contextmanager
    def held(self, value: Callable[[Any], Any]) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._saved = self._read()
                self._change(value(self._saved))
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    self._change(self._saved)


_switch = _Held(sys.getswitchinterval, sys.setswitchinterval)
_collector = _Held(gc.isenabled, lambda enabled: gc.enable() if enabled else gc.disable())


def responsive_threads() -> contextlib.AbstractContextManager[None]:
    """A short thread switch interval (at most BATCH_SWITCH_INTERVAL) until the last overlapping batch ends."""
    return _switch.held(lambda saved: min(saved, BATCH_SWITCH_INTERVAL))


def paused_collector() -> contextlib.AbstractContextManager[None]:
    """No cyclic garbage collection until the last overlapping batch ends; then as it was.

    A 10,000-account plan or apply allocates hundreds of thousands of dicts and lists, and the
    collector walks them again each time an allocation threshold is crossed (a full collection walks
    the whole heap, a notebook's DataFrames included): a third of an apply's time on SQLite.
    Reference counting still frees meanwhile everything that is not in a cycle.
    """
    return _collector.held(lambda saved: False)


def collect_young() -> None:
    """While a batch holds the collector paused: collect the young generations (only what was made since the
    last collection, so a long batch's memory stays bounded), unless the process had turned it off itself."""
    if _collector.saved():
        gc.collect(1)
