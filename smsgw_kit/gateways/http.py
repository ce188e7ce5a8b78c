"""The one place gateways meet httpx: clients built from settings, and httpx errors translated."""

from __future__ import annotations

import functools
import http.cookiejar
import ipaddress
import os
import ssl
import threading
from typing import Self
from urllib.parse import urlsplit

import certifi
import httpx

from .. import logredact, masking
from ..errors import (
    ConnectFailed,
    GatewayError,
    GatewayTimeout,
    InvalidInput,
    ProxyFailed,
)
from .base import GatewaySettings, ProxySettings
from .message import MAY_HAVE_BEEN_SENT

# Only failures to connect are retried: nothing has been written, so no message can go out twice.
CONNECT_RETRIES = 2
MASK = masking.MASK


def proxy_address(host_name: str | None, domain: str | None) -> str:
    """The proxy's address as the seed defines it: the host name, completed with the domain when the host
    name is a bare name (`proxy` + `corp.example` → `proxy.corp.example`), or the domain alone."""
    host = (host_name or "").strip()
    domain = (domain or "").strip().strip(".")
    if not host or host == domain:
        return domain
    if not domain or "." in host or ":" in host or "://" in host:
        return host  # already complete: a dotted name, an IP address or a URL
    if _is_ip(domain):
        return domain  # the seed's "domain name or IP address of the proxy server": an IP is the address
    return f"{host}.{domain}"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def proxy_url(proxy: ProxySettings) -> str:
    """The proxy as a URL without credentials (they travel separately, never in text)."""
    host = proxy_address(proxy.host, proxy.domain)
    if "://" not in host:
        host = f"http://{host}"
    return f"{host.rstrip('/')}:{proxy.port}" if urlsplit(host).port is None else host


def describe_proxy(host_name: str | None, domain: str | None, port: object) -> str:
    """One line for the form: where the proxy fields point, as the operator types them."""
    address = proxy_address(host_name, domain)
    if not address:
        return "No proxy: connecting directly."
    shown = f"{address}:{port}" if str(port or "").strip() else f"{address} (no port yet)"
    return f"Proxy address: {shown}"


def _proxy(proxy: ProxySettings | None) -> httpx.Proxy | None:
    if proxy is None or not proxy_address(proxy.host, proxy.domain):
        return None
    if not proxy.port:
        raise InvalidInput("proxy_port", "a proxy host needs a port", allowed="1 to 65535")
    # Basic auth only (httpx has no NTLM); the domain is part of the proxy's address, not of the user name.
    auth = (proxy.user_name, proxy.password or "") if proxy.user_name else None
    return httpx.Proxy(proxy_url(proxy), auth=auth)


def refused_407(proxy: ProxySettings) -> ProxyFailed:
    """The 407 in the operator's words: which user name was sent, and that the proxy refused it."""
    if proxy.user_name:
        return ProxyFailed(f"proxy {proxy_url(proxy)} refused the proxy user name {proxy.user_name!r} "
                           "and its password (HTTP 407)")
    return ProxyFailed(f"proxy {proxy_url(proxy)} asks for credentials (HTTP 407): set the Proxy User Name "
                       "and Proxy Password")


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """Verify TLS always; with `ca_bundle`, trust that bundle (e.g. a corporate proxy's CA) instead."""
    if not ca_bundle:
        with _context_lock:
            return _context(None, 0.0)
    if not os.path.isfile(ca_bundle):
        raise InvalidInput("ca_bundle", f"no file at {ca_bundle!r}", allowed="a PEM file of CA certificates")
    try:
        with _context_lock:
            return _context(ca_bundle, os.path.getmtime(ca_bundle))
    except ssl.SSLError as exc:
        raise InvalidInput("ca_bundle", f"{ca_bundle!r} holds no usable certificate",
                           allowed="a PEM file of CA certificates") from exc


# One load per bundle even when a batch's 50 threads all ask at once (a cache alone lets each of them
# load it: a second of CPU before the first test of a batch could start).
_context_lock = threading.Lock()


@functools.lru_cache(maxsize=32)
def _context(ca_bundle: str | None, mtime: float) -> ssl.SSLContext:
    # Loading CA certificates costs ~20 ms of CPU; share one context per bundle (and file version).
    if ca_bundle:
        return ssl.create_default_context(cafile=ca_bundle)
    return ssl.create_default_context(cafile=certifi.where())


class NoCookies(http.cookiejar.CookieJar):
    """A cookie jar that keeps nothing: a pooled client serves account after account, and a cookie one
    account's provider sets must never travel with the next account's requests."""

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return None

    def extract_cookies(self, response: object, request: object) -> None:
        return None


def build_client(settings: GatewaySettings) -> httpx.Client:
    """An httpx client using exactly the account's proxy, timeouts and TLS trust (never the environment's)."""
    logredact.remember(masking.settings_secrets(settings))  # httpx logs URLs: mask this account's secrets
    transport = httpx.HTTPTransport(
        verify=tls_context(settings.ca_bundle), proxy=_proxy(settings.proxy), retries=settings.connect_retries,
    )
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    return httpx.Client(transport=transport, timeout=timeout, trust_env=False, follow_redirects=False,
                        cookies=NoCookies())


class ClientPool:
    """httpx clients shared by many sends instead of one per send, keyed by (proxy, CA bundle, timeouts, retries).

    Per worker thread by default (a batch such as Bulk Test Connection): each thread reuses its client's
    open connections from one account to the next, and no two threads contend for one httpx connection
    pool (a single pool shared by 50 threads costs more CPU than it saves). `per_thread=False` shares one
    client per key between threads (send_code: a few threads, connections kept open between calls).
    Thread-safe; `close()` (or leaving the `with` block) closes every client and ends the pool, `clear()`
    closes them and keeps the pool usable.
    """

    def __init__(self, *, per_thread: bool = True) -> None:
        # httpx imports httpcore on its first client; done here, once, rather than by each of a batch's
        # threads queueing on the import lock (a tenth of a second before the first test could start).
        import httpcore  # noqa: F401

        self._lock = threading.Lock()
        self._local = threading.local()
        self._per_thread = per_thread
        self._shared: dict[tuple, httpx.Client] = {}
        self._all: list[httpx.Client] = []
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def key(settings: GatewaySettings) -> tuple:
        proxy = settings.proxy
        where = (proxy_url(proxy), proxy.user_name, proxy.password) if proxy is not None and _proxy(proxy) else None
        return where, settings.ca_bundle, settings.connect_timeout, settings.read_timeout, settings.connect_retries

    def client(self, settings: GatewaySettings) -> httpx.Client:
        """The client for `settings`' proxy, CA bundle, timeouts and retries (built on first use)."""
        if self._closed:
            raise RuntimeError("the client pool is closed")
        clients = self._local.__dict__.setdefault("clients", {}) if self._per_thread else self._shared
        key = self.key(settings)
        client = clients.get(key)
        if client is not None and not client.is_closed:
            # Built for another account perhaps: httpx logs URLs, so mask this account's secrets too.
            logredact.remember(masking.settings_secrets(settings), install_filter=False)
            return client
        with self._lock:
            if self._closed:  # closed meanwhile by another thread
                raise RuntimeError("the client pool is closed")
            client = clients.get(key)
            if client is None or client.is_closed:
                client = clients[key] = build_client(settings)  # keeps no cookies (NoCookies)
                self._all.append(client)
        return client

    def clear(self) -> None:
        """Close every client (and so every open connection); the pool builds new ones when used again."""
        with self._lock:
            clients, self._all = self._all, []
            self._shared = {}
            self._local = threading.local()
        for client in clients:
            client.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.clear()


def redact(text: str, settings: GatewaySettings) -> str:
    """`text` with every secret of `settings` masked, in every encoding a request can carry it."""
    return masking.mask(text, masking.settings_secrets(settings))


def request(client: httpx.Client, settings: GatewaySettings, provider: str, method: str, url: str, *,
            sending: bool = False, **kwargs) -> httpx.Response:
    """Make one request; raise ProxyFailed, ConnectFailed or GatewayTimeout in the operator's words."""
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise translate(exc, settings, provider, url, sending=sending) from None
    if response.status_code == 407 and settings.proxy:
        raise refused_407(settings.proxy)
    return response


def translate(exc: httpx.HTTPError, settings: GatewaySettings, provider: str, url: str, *,
              sending: bool = False) -> GatewayError:
    """The GatewayError that says what went wrong with `exc`, secrets masked."""
    where = _host_port(url)
    text = redact(str(exc) or type(exc).__name__, settings)
    proxy = settings.proxy
    if isinstance(exc, httpx.ProxyError) and proxy is not None:
        if "407" in text:
            return refused_407(proxy)
        return ProxyFailed(f"proxy {proxy_url(proxy)} could not reach {where} ({text})")
    if isinstance(exc, httpx.ConnectTimeout):
        target = f"proxy {proxy_url(proxy)}" if proxy else where
        return ConnectFailed(f"no connection to {target} within {settings.connect_timeout:g} s")
    if isinstance(exc, httpx.ConnectError):
        return _connect_error(text, settings, where)
    if isinstance(exc, httpx.PoolTimeout):  # nothing was written: safe to say it was not sent
        return ConnectFailed(f"no free connection to {where} within {settings.read_timeout:g} s")
    if isinstance(exc, httpx.TimeoutException):
        return _after_write(GatewayTimeout, f"{provider} did not answer within {settings.read_timeout:g} s", sending)
    return _after_write(GatewayError, f"the connection to {provider} at {where} failed: {text}", sending)


def _after_write(kind: type[GatewayError], text: str, sending: bool) -> GatewayError:
    """A failure after the request was written: for a send, its outcome is unknown and the error says so."""
    error = kind(f"{text}; {MAY_HAVE_BEEN_SENT}" if sending else text)
    error.may_have_been_sent = sending  # read by Gateway.send to flag the SendResult as uncertain
    return error


def _connect_error(text: str, settings: GatewaySettings, where: str) -> GatewayError:
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return ConnectFailed(f"TLS to {where} failed: the server's certificate is not trusted ({text})"
                             if "verify" in lowered else f"TLS to {where} failed ({text})")
    if settings.proxy:
        return ProxyFailed(f"proxy {proxy_url(settings.proxy)} is unreachable ({text})")
    if "name or service" in lowered or "getaddrinfo" in lowered or "name resolution" in lowered:
        return ConnectFailed(f"DNS lookup for {where} failed ({text})")
    if "refused" in lowered:
        return ConnectFailed(f"{where} refused the connection")
    return ConnectFailed(f"could not connect to {where} ({text})")


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def origin(url: str) -> str:
    """scheme://host[:port] of `url`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
