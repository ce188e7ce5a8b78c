"""Running widget updates on the kernel's own thread, and timers on its event loop.

A worker thread (a Test Connection, a test of many accounts) must not change widgets itself: the
kernel thread owns them. `KernelThread` captures the kernel's event loop where a widget is built and
hands functions to it from any thread. Outside a kernel (plain Python, the widget tests) there is no
loop, and the function simply runs where it is called.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


class KernelThread:
    """`call(fn)` runs fn on the kernel thread; `every(seconds, fn)` repeats fn there until `stop()`."""

    def __init__(self) -> None:
        try:
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None
        self._timer: asyncio.TimerHandle | None = None
        self._stopped = False

    def call(self, fn: Callable[[], Any]) -> None:
        if self.loop is None or self.loop.is_closed():
            fn()
        else:
            self.loop.call_soon_threadsafe(fn)

    def every(self, seconds: float, fn: Callable[[], Any]) -> bool:
        """Start a repeating timer on the kernel loop; False when there is no loop to run it."""
        if self.loop is None:
            return False

        def tick() -> None:
            if self._stopped:
                return
            try:
                fn()
            finally:
                if not self._stopped:
                    self._timer = self.loop.call_later(seconds, tick)
        self._timer = self.loop.call_later(seconds, tick)
        return True

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
