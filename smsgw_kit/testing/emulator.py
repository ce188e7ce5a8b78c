"""ProviderEmulator: a local HTTP (and HTTPS) server speaking every built-in provider's API."""

from __future__ import annotations

import os
import tempfile
import threading
from typing import Any

from ..gateways.base import GatewaySettings
from .credentials import DEFAULT_CREDENTIALS, PATHS, generic_options
from .providers import PROVIDERS
from .server import EmulatorServer
from .state import EmulatorState, Fault, RecordedRequest


def provider_name(name: str) -> str:
    """The emulated provider called `name` (case-insensitive; "bulletin" and "generic" work too)."""
    for known in PATHS:
        if name.casefold() in (known.casefold(), known.split(".")[0].split()[0].casefold()):
            return known
    raise KeyError(f"the emulator does not speak {name!r}; it speaks: {', '.join(PATHS)}")


class ProviderEmulator:
    """Nexmo, Twilio, Bulletin.net, RedOxygen, Clickatell and a generic HTTP API on 127.0.0.1.

    ``with ProviderEmulator(tls=True) as emu:`` serves HTTP on ``emu.base_url`` and HTTPS (a
    trustme test CA, trusted through ``emu.ca_bundle_path``) on ``emu.tls_base_url``. Each
    provider accepts the credentials in ``DEFAULT_CREDENTIALS`` (see ``emu.account_settings(name)``)
    and any added with ``add_credentials``; anything else gets that provider's own
    "invalid credentials" reply. ``emu.requests`` lists what was received; ``inject`` adds latency,
    5xx statuses, timeouts, malformed replies or a provider's documented error code.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, tls: bool = False, tls_port: int = 0,
                 timeout_hold: float = 30.0):
        self.host, self._ports, self.tls = host, (port, tls_port), tls
        self.timeout_hold = timeout_hold
        self._state = EmulatorState()
        self._servers: list[EmulatorServer] = []
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.ca_bundle_path: str | None = None
        for name, values in DEFAULT_CREDENTIALS.items():
            self._state.add_credentials(name, dict(values))

    def __repr__(self) -> str:
        return f"ProviderEmulator(base_url={self.base_url!r}, tls_base_url={self.tls_base_url!r})"

    def __enter__(self) -> ProviderEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> ProviderEmulator:
        """Start serving in background threads; returns self."""
        if self._servers:
            return self
        self._state.stopping.clear()
        self._servers.append(EmulatorServer((self.host, self._ports[0]), self._state, hold=self.timeout_hold))
        if self.tls:
            self._servers.append(EmulatorServer((self.host, self._ports[1]), self._state,
                                                hold=self.timeout_hold, tls=self._tls_context()))
        for server in self._servers:
            threading.Thread(target=server.serve_forever, name="smsgw-emulator", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving; requests held by an injected timeout are released."""
        self._state.stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()
        if self._tmp:
            self._tmp.cleanup()
            self._tmp = None

    def _tls_context(self):
        import ssl

        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert(self.host, "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self._tmp = tempfile.TemporaryDirectory(prefix="smsgw-emulator-")
        self.ca_bundle_path = os.path.join(self._tmp.name, "emulator-ca.pem")
        ca.cert_pem.write_to_path(self.ca_bundle_path)
        return context

    def _url(self, index: int) -> str | None:
        if len(self._servers) <= index:
            return None
        host, port = self._servers[index].server_address[:2]
        return f"{self._servers[index].scheme}://{host!s}:{port}"

    @property
    def base_url(self) -> str | None:
        """http://127.0.0.1:PORT while running."""
        return self._url(0)

    @property
    def tls_base_url(self) -> str | None:
        """https://127.0.0.1:PORT while running with tls=True."""
        return self._url(1)

    def url_for(self, provider: str, *, https: bool | None = None) -> str:
        """The gateway URL that makes `provider`'s gateway talk to this emulator (https when tls=True)."""
        use_tls = self.tls if https is None else https
        base = self.tls_base_url if use_tls else self.base_url
        if base is None:
            raise RuntimeError("the emulator is not running" + (" with tls=True" if use_tls else ""))
        return base + PATHS[provider_name(provider)]

    def account_settings(self, provider: str, *, https: bool | None = None) -> dict[str, Any]:
        """Account fields this emulator accepts for `provider` (gateway_url, account_id, user_name...)."""
        name = provider_name(provider)
        fields: dict[str, Any] = {"gateway_url": self.url_for(name, https=https), "account_id": None, "user_name": None,
                  "password": None, "sender_id": None, **DEFAULT_CREDENTIALS[name]}
        if name == "Generic HTTP":
            fields["options"] = generic_options(fields["gateway_url"].rsplit("/generic/", 1)[0])
        return fields

    def gateway_settings(self, provider: str, *, https: bool | None = None, **changes: Any) -> GatewaySettings:
        """GatewaySettings that work against this emulator (CA bundle set for https), with `changes`."""
        fields = self.account_settings(provider, https=https)
        url = fields["gateway_url"]
        ca = {"ca_bundle": self.ca_bundle_path} if url.startswith("https") else {}
        return GatewaySettings(**{**fields, **ca, "connect_timeout": 2.0, "read_timeout": 5.0, **changes})

    def add_credentials(self, provider: str, *, account_id: str | None = None, user_name: str | None = None,
                        password: str | None = None) -> None:
        """Accept another set of credentials for `provider` (fields it does not use are ignored)."""
        self._state.add_credentials(provider_name(provider),
                                    {"account_id": account_id, "user_name": user_name, "password": password})

    def inject(self, provider: str | None = None, *, latency: float = 0.0, status: int | None = None,
               timeout: bool = False, malformed: bool = False, error: str | None = None,
               count: int | None = None, sends_only: bool = False, account: str | None = None) -> Fault:
        """Misbehave on the next `count` requests to `provider` (all providers when None; forever when count=None).

        latency: seconds to wait before answering; status: answer with this HTTP status (e.g. 503);
        timeout: never answer (the connection is held until the client gives up); malformed: answer
        200 with a truncated body; error: answer sends (only sends, not credential checks) with the
        provider's documented error code (e.g. "6" for Nexmo, "21610" for Twilio, "403" for Bulletin.net, "105" for Clickatell);
        sends_only: misbehave only on sends (reachability and credentials requests pass);
        account: only requests made with this account (its API key, account ID, user name or SID).
        """
        name = provider_name(provider) if provider else None
        if error is not None:
            errors = next(p.ERRORS for p in PROVIDERS if name == p.NAME) if name else {}
            if str(error) not in errors:
                raise ValueError(f"{name or 'a provider'} has no documented error {error!r}; "
                                 f"known: {', '.join(errors) or 'name the provider'}")
            error = str(error)
        return self._state.add_fault(Fault(provider=name, latency=latency, status=status, timeout=timeout,
                                           malformed=malformed, error=error, count=count, sends_only=sends_only,
                                           account=account))

    def set_delivery(self, provider: str, *, step: float | None = None, failure: str | None = None) -> None:
        """How accepted messages of `provider` end: delivered (failure=None) or undelivered with a
        documented code (Twilio "30003", Clickatell "007", Bulletin.net "NUR"); `step` is the seconds
        spent queued and then sent before the end (all providers)."""
        self._state.receipts.configure(provider_name(provider), step=step, failure=failure)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received since start or the last clear(), oldest first."""
        return self._state.requests()

    def requests_for(self, provider: str) -> list[RecordedRequest]:
        name = provider_name(provider)
        return [r for r in self.requests if r.provider == name]

    def clear(self) -> None:
        """Forget the recorded requests and the injected faults (credentials stay)."""
        self._state.clear()
