"""Fixtures for the browser tests: Voilà serving the Admin Center on a temporary database, the emulator,
and Playwright's Chromium launched from /usr/bin/chromium (skipped without it, failing when CI=true)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.testing import ProviderEmulator

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "admin_center.ipynb"
CHROMIUM = os.environ.get("SMSGW_KIT_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
OUTPUT = ROOT / "test-output" / "e2e"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"CI=true but {CHROMIUM} is missing: install chromium (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); browser tests need it")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def emulator():
    with ProviderEmulator() as emu:
        yield emu


@pytest.fixture(scope="session")
def voila_env(tmp_path_factory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("voila")
    env = {**os.environ, "SMSGW_KIT_DATABASE_URL": f"sqlite:///{tmp / 'admin.db'}",
           "SMSGW_KIT_KEY_FILE": str(tmp / "secret.keys"), "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "JUPYTER_DATA_DIR": str(tmp / "data"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "IPYTHONDIR": str(tmp / "ipython"), "PYTHONUNBUFFERED": "1"}
    env.pop("SMSGW_KIT_SECRET_KEYS", None)
    return env


@pytest.fixture(scope="session")
def voila_url(voila_env, browser_type_launch_args, tmp_path_factory):
    """Voilà serving notebooks/admin_center.ipynb; the URL of the app."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("voila-log") / "voila.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
         "--Voila.port_retries=0", "--show_tracebacks=True"],
        env=voila_env, cwd=NOTEBOOK.parent, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/voila/static/voila-style.js", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"Voilà did not start; see {log.name}")
        time.sleep(0.2)
    yield base + "/"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def app_admin(voila_env, voila_url):
    """A GatewayAdmin on the database the Voilà kernel uses, to check what the browser did."""
    db = Database(voila_env["SMSGW_KIT_DATABASE_URL"])
    yield GatewayAdmin(db, keyring=Keyring.load(path=Path(voila_env["SMSGW_KIT_KEY_FILE"])), actor="e2e")
    db.dispose()


@pytest.fixture
def shots():
    """shots(page, name): save a full-page screenshot under test-output/e2e/."""
    OUTPUT.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str) -> Path:
        path = OUTPUT / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return shot
