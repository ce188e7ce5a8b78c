"""Fixtures for the browser tests: Voilà (and JupyterLab) serving the Admin Center on a temporary database,
the emulator, and Playwright's Chromium launched from /usr/bin/chromium (skipped without it, failing when
CI=true). One server per test module keeps the browser part of the suite within a few minutes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.testing import ProviderEmulator
from smsgw_kit.ui.serve import TEMPLATE, environment

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "admin_center.ipynb"
CHROMIUM = os.environ.get("SMSGW_KIT_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
OUTPUT = ROOT / "test-output" / "e2e"
LOOPBACK = re.compile(r"^(https?|wss?)://127\.0\.0\.1[:/]")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"CI=true but {CHROMIUM} is missing: install chromium (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); browser tests need it")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def emulator():
    with ProviderEmulator() as emu:
        yield emu


def app_environment(tmp: Path) -> dict[str, str]:
    """Environment of a server: its own database, key file and Jupyter folders under `tmp`."""
    env = {**os.environ, "SMSGW_KIT_DATABASE_URL": f"sqlite:///{tmp / 'admin.db'}",
           "SMSGW_KIT_KEY_FILE": str(tmp / "secret.keys"), "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "JUPYTER_DATA_DIR": str(tmp / "data"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "IPYTHONDIR": str(tmp / "ipython"), "PYTHONUNBUFFERED": "1"}
    env.pop("SMSGW_KIT_SECRET_KEYS", None)
    return environment(env)  # JUPYTER_PATH: the offline Voilà template


def serve(cmd: list[str], env: dict[str, str], cwd: Path, ready: str, log: Path) -> Iterator[subprocess.Popen]:
    """Start a server, wait until `ready` answers 200, yield it, then stop it."""
    out = log.open("w")
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(ready, timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{cmd[2]} did not start; see {log}")
        time.sleep(0.3)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()


@pytest.fixture(scope="module")
def voila_env(tmp_path_factory) -> dict[str, str]:
    return app_environment(tmp_path_factory.mktemp("voila"))


@pytest.fixture(scope="module")
def voila_theme() -> str:
    """The Voilà theme of the module's server (a module overrides this fixture for the dark one)."""
    return "light"


@pytest.fixture(scope="module")
def voila_url(voila_env, voila_theme, browser_type_launch_args, tmp_path_factory):
    """Voilà serving notebooks/admin_center.ipynb with the offline template; the URL of the app."""
    port = free_port()
    cmd = [sys.executable, "-m", "voila", str(NOTEBOOK), f"--template={TEMPLATE}", f"--theme={voila_theme}",
           "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}", "--Voila.port_retries=0",
           "--show_tracebacks=True"]
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("voila-log") / "voila.log"
    for _ in serve(cmd, voila_env, NOTEBOOK.parent, f"{base}/voila/static/voila-style.js", log):
        yield f"{base}/"


def admin_for(env: dict[str, str]) -> Iterator[GatewayAdmin]:
    db = Database(env["SMSGW_KIT_DATABASE_URL"])
    yield GatewayAdmin(db, keyring=Keyring.load(path=Path(env["SMSGW_KIT_KEY_FILE"])), actor="e2e")
    db.dispose()


@pytest.fixture(scope="module")
def app_admin(voila_env, voila_url):
    """A GatewayAdmin on the database the Voilà kernels use, to prepare and check what the browser did."""
    yield from admin_for(voila_env)


class Requests:
    """Every request the page made; those leaving 127.0.0.1 are recorded, then aborted."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def outside(self) -> list[str]:
        return [u for u in self.urls if not LOOPBACK.match(u) and not u.startswith(("data:", "blob:"))]


def open_app(page: Page, url: str, requests: Requests, errors: list[str], *, width: int = 1400,
             height: int = 900) -> Page:
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.urls.append(request.url))
    page.on("websocket", lambda ws: requests.urls.append(ws.url))
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    page.set_default_timeout(20_000)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    expect(page.locator(".smsgw-admin")).to_be_visible(timeout=60_000)
    return page


@pytest.fixture
def app(page: Page, voila_url: str):
    """The Admin Center loaded in Voilà at 1400×900; afterwards: no widget errors, no page errors, and no
    request that left 127.0.0.1."""
    requests, errors = Requests(), []
    open_app(page, voila_url, requests, errors)
    page.requests = requests
    yield page
    expect(page.locator(".jupyter-widgets-error-widget")).to_have_count(0)
    assert errors == []
    assert requests.outside() == [], "the page must need nothing from the internet"


@pytest.fixture
def shots():
    """shots(page, name): save a full-page screenshot under test-output/e2e/."""
    OUTPUT.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str) -> Path:
        path = OUTPUT / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return shot
