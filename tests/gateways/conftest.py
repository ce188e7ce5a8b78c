"""Fixtures for the gateway tests: the provider emulator (HTTP and HTTPS) and an authenticating proxy."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from proxy_credentials import PROXY_PASSWORD, PROXY_USER

from smsgw_kit.gateways import ProxySettings
from smsgw_kit.testing import ProviderEmulator
from smsgw_kit.testing.emulator import provider_name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@pytest.fixture(scope="session")
def emulator_server():
    with ProviderEmulator(tls=True, timeout_hold=10) as emu:
        yield emu


@pytest.fixture
def emu(emulator_server):
    """The session's emulator with no recorded requests and no faults."""
    emulator_server.clear()
    yield emulator_server
    emulator_server.clear()


class Proxy:
    """A running proxy.py with Basic auth, and its access log."""

    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log

    def settings(self, *, password: str = PROXY_PASSWORD, user_name: str = PROXY_USER) -> ProxySettings:
        return ProxySettings(host="127.0.0.1", port=self.port, user_name=user_name, password=password)

    def access_log(self) -> str:
        return self.log.read_text()

    def logged(self, text: str, timeout: float = 3.0) -> bool:
        """True once `text` shows in the access log (proxy.py writes an entry when a connection closes)."""
        deadline = time.monotonic() + timeout
        while text not in self.access_log():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


@pytest.fixture(scope="session")
def proxy(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("proxy") / "proxy.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", str(port),
             "--basic-auth", f"{PROXY_USER}:{PROXY_PASSWORD}", "--num-workers", "1", "--num-acceptors", "1"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port)
        yield Proxy(port, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


SEED_PHONE = "447079692712"


@pytest.fixture
def send(emu):
    """send(provider, text="...", phone=..., https=False, **settings changes) -> (SendResult, last request)."""
    from smsgw_kit.gateways import ShortMessage, get_gateway_type

    def _send(provider, *, text="Your code is [Code]", phone=SEED_PHONE, https=False, reference_id=None,
              **changes):
        settings = emu.gateway_settings(provider, https=https, **changes)
        message = ShortMessage(message=text, access_code="123456", recipients=[phone], reference_id=reference_id)
        with get_gateway_type(provider_name(provider))(settings) as gateway:
            result = gateway.send(message)
        sent = [r for r in emu.requests if r.path != "/"]
        return result, (sent[-1] if sent else None)

    return _send


@pytest.fixture
def check(emu):
    """check(provider, **settings changes) -> CheckResult of test_credentials()."""
    from smsgw_kit.gateways import get_gateway_type

    def _check(provider, **changes):
        with get_gateway_type(provider_name(provider))(emu.gateway_settings(provider, **changes)) as gateway:
            return gateway.test_credentials()

    return _check


@pytest.fixture
def unused_port():
    """A loopback port nothing listens on."""
    return free_port()


class DocumentedServer:
    """A tiny loopback HTTP server that answers each request with the next queued (status, body, headers)
    and records what it got: the gateway code meets a provider's documented reply over real HTTP."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qsl, urlsplit

        self.replies, self.requests = [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                outer.requests.append({
                    "method": self.command, "path": parts.path, "query": dict(parse_qsl(parts.query)),
                    "form": dict(parse_qsl(body.decode())), "headers": dict(self.headers.items()),
                })
                status, text, headers = outer.replies.pop(0) if outer.replies else (500, "no reply queued", {})
                data = text.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 204:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if status != 204:
                    self.wfile.write(data)

            do_POST = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, status: int, body: str = "", **headers: str) -> None:
        self.replies.append((status, body, {k.replace("_", "-"): v for k, v in headers.items()}))


@pytest.fixture
def documented():
    """A DocumentedServer running for one test."""
    import threading

    server = DocumentedServer()
    threading.Thread(target=server.server.serve_forever, daemon=True).start()
    yield server
    server.server.shutdown()
    server.server.server_close()
