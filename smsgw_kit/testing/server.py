"""The emulator's HTTP(S) server: parse each request, record it, apply faults, route it to a provider."""

from __future__ import annotations

import base64
import binascii
import json
import re
import socket
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import receipts
from .providers import PROVIDERS
from .state import EmulatorState, RecordedRequest, Reply

ROUTES = [(method, re.compile(pattern + r"$"), p.NAME, handler)
          for p in PROVIDERS for method, pattern, handler in p.ROUTES]
ROUTES += [(method, re.compile(pattern + r"$"), name, handler) for method, pattern, name, handler in receipts.ROUTES]
MALFORMED = b'{"messages": [{"status": "0", "message-id": <html>Gateway glitch'


def _route(method: str, path: str):
    for route_method, pattern, provider, handler in ROUTES:
        found = pattern.match(path)
        if found and route_method == method:
            return provider, handler, found.groupdict()
    provider = next((p for _, pattern, p, _ in ROUTES if pattern.match(path)), None)
    return provider, None, {}


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


class EmulatorServer(ThreadingHTTPServer):
    """A threaded server sharing one EmulatorState; TLS when given an SSL context."""

    daemon_threads = True
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], state: EmulatorState, *, hold: float,
                 tls: ssl.SSLContext | None = None):
        super().__init__(address, _Handler)
        self.state, self.hold, self.scheme = state, hold, "https" if tls else "http"
        if tls:
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(self, request, client_address) -> None:
        """Clients that abort (refused certificates, timeouts) are part of the tests; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "smsgw-kit-emulator/1"
    timeout = 30
    server: EmulatorServer

    def setup(self) -> None:
        super().setup()
        # Headers and body are written separately: without this, Nagle + delayed ACK add 40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _read(self) -> RecordedRequest:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        ctype = self.headers.get("Content-Type", "")
        form, data = {}, None
        if "application/x-www-form-urlencoded" in ctype:
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif "json" in ctype:
            try:
                data = json.loads(body or b"null")
            except ValueError:
                data = None
        provider, _, _ = _route(self.command, parts.path)
        return RecordedRequest(
            provider=provider, method=self.command, path=parts.path, scheme=self.server.scheme,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)), headers=dict(self.headers.items()),
            form=form, json=data, body=body, basic_auth=_basic_auth(self.headers.get("Authorization")),
        )

    def _handle(self) -> None:
        state = self.server.state
        request = self._read()
        state.record(request)
        _, handler, _ = _route(request.method, request.path)
        faults = state.take_faults(request.provider, sending=getattr(handler, "__name__", "") == "send",
                                   request=request)
        for fault in faults:
            if fault.latency and state.stopping.wait(fault.latency):
                return
        if any(f.timeout for f in faults):
            state.stopping.wait(self.server.hold)
            self.close_connection = True
            return
        reply = self._answer(request, faults)
        state.receipts.observe(request, reply)
        self._reply(reply)

    def _answer(self, request: RecordedRequest, faults) -> Reply:
        status = next((f.status for f in faults if f.status), None)
        if status:
            return Reply(status=status, body=f"emulated failure {status}")
        if any(f.malformed for f in faults):
            return Reply(body=MALFORMED, content_type="application/json")
        _, handler, params = _route(request.method, request.path)
        if handler is None:
            if request.path == "/":
                return Reply(body="smsgw_kit provider emulator\n")
            return Reply(status=404, body=f"no emulated API at {request.method} {request.path}")
        error = next((f.error for f in faults if f.error), None)
        return handler(request, self.server.state, error, **params)

    def _reply(self, reply: Reply) -> None:
        body = reply.body.encode() if isinstance(reply.body, str) else reply.body
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status != 204:
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if reply.status != 204:
            self.wfile.write(body)
