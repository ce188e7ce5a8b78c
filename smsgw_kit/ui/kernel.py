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


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The running loop, only inside an IPython kernel: another program's loop (a test runner's, a
    script's) may never come back to run what is handed to it."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class KernelThread:
    """`call(fn)` runs fn on the kernel thread; `every(seconds, fn)` repeats fn there until `stop()`."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = _kernel_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._stopped = False

    def call(self, fn: Callable[[], Any]) -> None:
        if self.loop is None or self.loop.is_closed():
            fn()
        else:
            self.loop.call_soon_threadsafe(fn)

    def every(self, seconds: float, fn: Callable[[], Any]) -> bool:
        """Start a repeating timer on the kernel loop; False when there is no loop to run it."""
        loop = self.loop
        if loop is None:
            return False

        def tick() -> None:
            if self._stopped:
                return
            try:
                fn()
            finally:
                if not self._stopped:
                    self._timer = loop.call_later(seconds, tick)
        self._timer = loop.call_later(seconds, tick)
        return True

    @property
    def running(self) -> bool:
        """True while a timer started by `every` repeats."""
        return self._timer is not None and not self._stopped

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
