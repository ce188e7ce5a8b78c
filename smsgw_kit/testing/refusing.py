"""A loopback port that refuses every connection: a provider that is down, for failover tests."""

from __future__ import annotations

import socket
from typing import Self

from .credentials import PATHS
from .emulator import provider_name


class RefusingPort:
    """A port bound on 127.0.0.1 but never listening, so every connect gets ECONNREFUSED at once.

    ``with RefusingPort() as dead: emu.account_settings("Nexmo") | {"gateway_url": dead.url_for("Nexmo")}``
    """

    def __init__(self, host: str = "127.0.0.1"):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((host, 0))  # bound and not listening: the kernel answers connects with RST
        self.host, self.port = self._sock.getsockname()[:2]

    def __repr__(self) -> str:
        return f"RefusingPort({self.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url_for(self, provider: str) -> str:
        """The gateway URL `provider`'s gateway would use if its server were down."""
        return self.base_url + PATHS[provider_name(provider)]

    def close(self) -> None:
        self._sock.close()
