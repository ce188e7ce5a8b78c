"""The Admin Center inside a real JupyterLab 4 in Chromium: light and dark theme, a narrow notebook, the
value shown is the value used, and no typed secret in the notebook file with widget-state saving on."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest
from browser_support import (
    NOTEBOOK,
    Requests,
    admin_for,
    app_environment,
    delete_dialogs_read,
    free_port,
    inside_viewport,
    low_contrast,
    row,
    serve,
)
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser
SECRET = "typed-not-submitted-Zq81"
SETTINGS = {
    # Settings › "Save Widget State Automatically": on, the case where a secret could reach the file.
    "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                       "checkForUpdates": False},
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser_type_launch_args):
    """JupyterLab (no token) on a copy of notebooks/; yields (base URL, notebook folder, environment)."""
    tmp = tmp_path_factory.mktemp("lab")
    folder = tmp / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOK, folder / NOTEBOOK.name)
    env = {**app_environment(tmp), "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces")}
    for name, values in SETTINGS.items():
        path = tmp / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port = free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=",
           f"--ServerApp.root_dir={folder}", "--LabApp.expose_app_in_browser=True",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly", *(["--allow-root"] if os.geteuid() == 0 else [])]
    base = f"http://127.0.0.1:{port}"
    for _ in serve(cmd, env, folder, f"{base}/api/status", tmp / "lab.log"):
        yield base, folder, env


@pytest.fixture(scope="module")
def lab_admin(lab):
    yield from admin_for(lab[2])


@pytest.fixture
def notebook(page: Page, lab):
    """admin_center.ipynb opened in JupyterLab at 1400×900 and run; page errors and outside requests checked."""
    base, _folder, _env = lab
    requests, errors = Requests(), []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.urls.append(request.url))
    page.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    page.set_default_timeout(30_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{base}/lab/tree/{NOTEBOOK.name}")
    page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=90_000)
    select = page.get_by_role("button", name="Select Kernel")
    try:  # JupyterLab may ask which kernel to start: the notebook's own (Python 3)
        select.wait_for(timeout=10_000)
        select.click()
    except PlaywrightTimeout:
        pass
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(1, timeout=90_000)
    command(page, "notebook:run-all-cells")
    expect(page.locator(".smsgw-admin")).to_be_visible(timeout=90_000)
    yield page
    expect(page.locator(".jupyter-widgets-error-widget")).to_have_count(0)
    assert [e for e in errors if "ResizeObserver" not in e] == []
    assert requests.outside() == []


def command(page: Page, name: str, args: dict | None = None) -> None:
    """Run a JupyterLab command without waiting for its promise (some settle only much later)."""
    page.evaluate("([name, args]) => { window.jupyterapp.commands.execute(name, args); }", [name, args or {}])


def theme(page: Page, name: str) -> None:
    command(page, "apputils:change-theme", {"theme": name})
    light = "true" if name == "JupyterLab Light" else "false"
    expect(page.locator(f"body[data-jp-theme-light='{light}']")).to_have_count(1, timeout=30_000)


def gateways(page: Page):
    page.get_by_role("button", name="SMS Gateway", exact=True).click()
    return page.locator(".smsgw-page-gateways")


def nexmo(emulator, **changes) -> dict:
    return {**{k: v for k, v in emulator.account_settings("Nexmo").items() if v is not None}, **changes}


@pytest.mark.parametrize("theme_name", ["JupyterLab Light", "JupyterLab Dark"])
def test_dialogs_read_in_the_theme_and_open_in_view(notebook: Page, theme_name, emulator, lab_admin, shots):
    page = notebook
    tag = theme_name.split()[-1].lower()
    good, bad = f"Lab {tag}", f"Lab bad {tag}"
    lab_admin.create_account(name=good, gateway_type="Nexmo", **nexmo(emulator))
    lab_admin.create_account(name=bad, gateway_type="Nexmo", **nexmo(emulator, password="nope"))
    lab_admin.create_identity_store(name=f"Lab AD {tag}")
    lab_admin.link(f"Lab AD {tag}", good)
    theme(page, theme_name)
    admin = page.locator(".smsgw-admin")
    gateways(page)
    expect(row(page, bad)).to_be_visible()
    assert low_contrast(admin) == []

    row(page, bad).get_by_role("button", name="Test Connection").click()
    dialog = page.locator(".smsgw-test-dialog")
    dialog.get_by_label("Mobile Number").press_sequentially("447079692712")
    dialog.get_by_role("button", name="OK").click()  # at once: the number used is the number shown
    expect(dialog.locator(".smsgw-report-outcome")).to_contain_text("Failed", timeout=30_000)
    expect(dialog.locator(".smsgw-stages")).to_contain_text("Credentials")
    assert inside_viewport(page, dialog.locator(".smsgw-stages")), "the result shows without scrolling"
    assert low_contrast(dialog) == []
    history = lab_admin.test_history_frame(account=bad)
    assert list(history["phone"])[:1] == ["+447079692712"]
    shots(page, f"20-lab-{tag}-test-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)  # closed before the next click lands where it was

    delete_dialogs_read(page, good, f"Lab AD {tag}", bad)

    page.get_by_role("button", name="Identity Stores").click()
    page.locator(".smsgw-row", has_text=f"Lab AD {tag}").get_by_role("button", name="SMS Authentication").click()
    panel = page.locator(".smsgw-sms-auth")
    expect(panel.locator(".smsgw-segments")).to_contain_text("GSM-7")
    assert low_contrast(panel) == []
    shots(page, f"21-lab-{tag}-sms-authentication")


def test_the_table_stays_legible_beside_the_file_browser(notebook: Page, emulator, lab_admin):
    lab_admin.create_account(name="Beside files", gateway_type="Nexmo", **nexmo(emulator))
    page = notebook
    page.set_viewport_size({"width": 1100, "height": 900})
    command(page, "filebrowser:activate")
    expect(page.locator(".jp-FileBrowser")).to_be_visible()
    gateways(page)
    expect(row(page, "Beside files")).to_be_visible()
    headers = page.locator(".smsgw-table-header .smsgw-th")
    for i in range(headers.count()):
        assert headers.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth"), headers.nth(i).inner_text()
    assert row(page, "Beside files").locator(".smsgw-account-name").evaluate(
        "e => e.scrollWidth <= e.clientWidth")


def test_a_typed_secret_never_reaches_the_saved_notebook(notebook: Page, lab):
    page, (_base, folder, _env) = notebook, lab
    theme(page, "JupyterLab Light")
    listing = gateways(page)
    listing.locator(".smsgw-create-gateway").click()
    form = page.locator(".smsgw-page-account-form")
    form.get_by_label("Name *", exact=True).fill("Unsaved one")
    form.get_by_label("Gateway Type *").select_option("Nexmo")
    form.get_by_label("API Secret *").fill(SECRET)
    form.get_by_role("button", name="Show Proxy Options").click()
    form.get_by_label("Proxy Password", exact=True).fill(SECRET + "-proxy")
    page.wait_for_timeout(500)  # let the edits reach the kernel
    command(page, "docmanager:save")
    path = folder / NOTEBOOK.name
    expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=20_000)
    text = path.read_text()
    widgets = json.loads(text)["metadata"].get("widgets", {})
    state = json.dumps(widgets)
    assert "Unsaved one" in state, "widget state was saved (the setting is on), with what the form shows"
    assert SECRET not in text, "a typed secret must never reach the notebook file"
