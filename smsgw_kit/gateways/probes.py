"""The checks every gateway inherits: reaching the provider (DNS, TCP, TLS) and passing the proxy."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import ConnectFailed, GatewayError, InvalidInput, ProxyFailed
from .http import origin, proxy_address, proxy_url
from .message import CheckResult
from .replies import malformed, status_meaning

if TYPE_CHECKING:
    from .gateway import Gateway


def target(gateway: Gateway) -> tuple[str, str, int]:
    """(scheme, host, port) of the gateway URL; InvalidInput naming gateway_url when it is no web address."""
    parts = urlsplit(gateway.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("gateway_url", f"{gateway.url!r} is not a web address",
                           allowed="an http:// or https:// URL")
    return parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def connection(gateway: Gateway) -> CheckResult:
    """Resolve the host, connect and (for https) complete TLS by asking the provider's origin for `/`."""
    scheme, host, port = target(gateway)
    steps = "DNS, TCP and TLS" if scheme == "https" else "DNS and TCP"
    if gateway.settings.proxy is None:
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            return CheckResult.fail(f"DNS lookup for {host} failed ({exc.strerror})")
    else:
        steps = "the proxy tunnel" + (" and TLS" if scheme == "https" else "")
    try:
        response = gateway.request("GET", origin(gateway.url) + "/")
    except GatewayError as exc:
        return CheckResult.fail(str(exc))
    # Any well-formed answer below 500 proves the path (a 404 for "/" is normal); a 5xx or a garbled body
    # means something is broken on the way or at the provider, so it is no proof of reachability.
    if response.status_code >= 500:
        return CheckResult.fail(f"{host}:{port} answered HTTP {response.status_code} "
                                f"({status_meaning(response.status_code)})")
    if malformed(response):
        return CheckResult.fail(f"{host}:{port} answered with a malformed reply (HTTP {response.status_code})")
    return CheckResult.ok(f"reached {host}:{port}: {steps} OK (HTTP {response.status_code})")


def proxy(gateway: Gateway) -> CheckResult:
    """Reach the proxy over TCP, then ask it for the provider's origin to see it take the credentials."""
    settings = gateway.settings.proxy
    if settings is None or not proxy_address(settings.host, settings.domain):
        return CheckResult.ok("no proxy configured; connecting directly")
    where = proxy_url(settings)
    parts = urlsplit(where)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=gateway.settings.connect_timeout).close()
    except OSError as exc:
        return CheckResult.fail(f"proxy {where} is unreachable ({exc.strerror or exc})")
    try:
        gateway.request("GET", origin(gateway.url) + "/")
    except ProxyFailed as exc:
        return CheckResult.fail(str(exc))
    except ConnectFailed:
        pass  # the proxy let us through; what lies behind it is the connection stage's to report
    except GatewayError as exc:
        return CheckResult.fail(f"proxy {where}: {exc}")
    auth = "accepted the credentials" if settings.user_name else "answered"
    return CheckResult.ok(f"proxy {where} {auth} and forwards to {origin(gateway.url)}")
