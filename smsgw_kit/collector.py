"""Python's cycle collector paused while batches run, refcounted so overlapping batches give it back once."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_batches = 0
_was_enabled = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic garbage collection until the last overlapping batch ends; then as it was.

    A 10,000-account plan or apply allocates hundreds of thousands of dicts and lists, and the
    collector walks them again each time an allocation threshold is crossed (a full collection walks
    the whole heap, a notebook's DataFrames included): a third of an apply's time on SQLite. Each
    collection also stops every thread of a Bulk Test Connection. Reference counting still frees,
    meanwhile, everything that is not in a cycle.
    """
    global _batches, _was_enabled
    with _lock:
        if _batches == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _batches += 1
    try:
        yield
    finally:
        with _lock:
            _batches -= 1
            if _batches == 0 and _was_enabled:
                gc.enable()


def collect_young() -> None:
    """During a batch: collect the young generations (only what was made since the last collection, so a
    long batch's memory stays bounded), unless the process had turned the collector off itself."""
    with _lock:
        wanted = _was_enabled if _batches else gc.isenabled()
    if wanted:
        gc.collect(1)
