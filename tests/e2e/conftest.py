"""Fixtures for the browser tests: Voilà (and JupyterLab) serving the Admin Center on a temporary database,
the emulator, and Playwright's Chromium launched from /usr/bin/chromium (skipped without it, failing when
CI=true). One server per test module keeps the browser part of the suite within a few minutes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from browser_support import (
    NOTEBOOK,
    ROOT,
    Requests,
    admin_for,
    app_environment,
    free_port,
    open_app,
    serve,
)
from playwright.sync_api import Page, expect

from smsgw_kit.testing import ProviderEmulator
from smsgw_kit.ui.serve import TEMPLATE

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


@pytest.fixture(scope="session")
def emulator():
    with ProviderEmulator() as emu:
        yield emu


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


@pytest.fixture(scope="module")
def app_admin(voila_env, voila_url):
    """A GatewayAdmin on the database the Voilà kernels use, to prepare and check what the browser did."""
    yield from admin_for(voila_env)


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
