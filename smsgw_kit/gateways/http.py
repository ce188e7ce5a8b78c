"""The one place gateways meet httpx: clients built from settings, and httpx errors translated."""

from __future__ import annotations

import functools
import os
import re
import ssl
from urllib.parse import urlsplit

import certifi
import httpx

from ..errors import (
    ConnectFailed,
    GatewayError,
    GatewayTimeout,
    InvalidInput,
    ProxyFailed,
)
from .base import GatewaySettings, ProxySettings

# Only failures to connect are retried: nothing has been written, so no message can go out twice.
CONNECT_RETRIES = 2
MASK = "********"


def proxy_url(proxy: ProxySettings) -> str:
    """The proxy as a URL without credentials (they travel separately, never in text)."""
    host = proxy.host.strip()
    if "://" not in host:
        host = f"http://{host}"
    return f"{host.rstrip('/')}:{proxy.port}" if urlsplit(host).port is None else host


def _proxy(proxy: ProxySettings | None) -> httpx.Proxy | None:
    if proxy is None or not proxy.host:
        return None
    if not proxy.port:
        raise InvalidInput("proxy_port", "a proxy host needs a port", allowed="1 to 65535")
    auth = None
    if proxy.user_name:
        # Basic auth only (httpx has no NTLM); proxies that want a domain take DOMAIN\user.
        user = f"{proxy.domain}\\{proxy.user_name}" if proxy.domain else proxy.user_name
        auth = (user, proxy.password or "")
    return httpx.Proxy(proxy_url(proxy), auth=auth)


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """Verify TLS always; with `ca_bundle`, trust that bundle (e.g. a corporate proxy's CA) instead."""
    if not ca_bundle:
        return _context(None, 0.0)
    if not os.path.isfile(ca_bundle):
        raise InvalidInput("ca_bundle", f"no file at {ca_bundle!r}", allowed="a PEM file of CA certificates")
    try:
        return _context(ca_bundle, os.path.getmtime(ca_bundle))
    except ssl.SSLError as exc:
        raise InvalidInput("ca_bundle", f"{ca_bundle!r} holds no usable certificate",
                           allowed="a PEM file of CA certificates") from exc


@functools.lru_cache(maxsize=32)
def _context(ca_bundle: str | None, mtime: float) -> ssl.SSLContext:
    # Loading CA certificates costs ~20 ms of CPU; share one context per bundle (and file version).
    if ca_bundle:
        return ssl.create_default_context(cafile=ca_bundle)
    return ssl.create_default_context(cafile=certifi.where())


def build_client(settings: GatewaySettings) -> httpx.Client:
    """An httpx client using exactly the account's proxy, timeouts and TLS trust (never the environment's)."""
    transport = httpx.HTTPTransport(
        verify=tls_context(settings.ca_bundle), proxy=_proxy(settings.proxy), retries=settings.connect_retries,
    )
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    return httpx.Client(transport=transport, timeout=timeout, trust_env=False, follow_redirects=False)


def redact(text: str, settings: GatewaySettings) -> str:
    """`text` with every secret of `settings` masked."""
    secrets = [settings.password, settings.proxy.password if settings.proxy else None]
    for secret in filter(None, secrets):
        # Whole tokens only, so a short password like "x" does not garble the word "proxy".
        text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, text)
    return text


def request(client: httpx.Client, settings: GatewaySettings, provider: str, method: str, url: str, *,
            sending: bool = False, **kwargs) -> httpx.Response:
    """Make one request; raise ProxyFailed, ConnectFailed or GatewayTimeout in the operator's words."""
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise translate(exc, settings, provider, url, sending=sending) from None
    if response.status_code == 407 and settings.proxy:
        raise ProxyFailed(f"proxy refused the credentials (407) at {proxy_url(settings.proxy)}")
    return response


def translate(exc: httpx.HTTPError, settings: GatewaySettings, provider: str, url: str, *,
              sending: bool = False) -> GatewayError:
    """The GatewayError that says what went wrong with `exc`, secrets masked."""
    where = _host_port(url)
    text = redact(str(exc) or type(exc).__name__, settings)
    proxy = settings.proxy
    if isinstance(exc, httpx.ProxyError):
        if "407" in text:
            return ProxyFailed(f"proxy refused the credentials (407) at {proxy_url(proxy)}")
        return ProxyFailed(f"proxy {proxy_url(proxy)} could not reach {where} ({text})")
    if isinstance(exc, httpx.ConnectTimeout):
        target = f"proxy {proxy_url(proxy)}" if proxy else where
        return ConnectFailed(f"no connection to {target} within {settings.connect_timeout:g} s")
    if isinstance(exc, httpx.ConnectError):
        return _connect_error(text, settings, where)
    if isinstance(exc, httpx.TimeoutException):
        tail = "; the message may have been sent, check before sending again" if sending else ""
        return GatewayTimeout(f"{provider} did not answer within {settings.read_timeout:g} s{tail}")
    tail = "; the message may have been sent" if sending else ""
    return GatewayError(f"the connection to {provider} at {where} failed: {text}{tail}")


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
