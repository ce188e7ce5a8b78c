"""What the browser tests share: servers on a temporary database, the page opened with its requests
recorded, and what they measure on it (text contrast from computed styles, rows, boxes).

Not in conftest.py: test modules import these, and tests/ui has a conftest module of the same name."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from playwright.sync_api import Locator, Page, expect

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.ui.serve import environment

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "admin_center.ipynb"
LOOPBACK = re.compile(r"^(https?|wss?)://127\.0\.0\.1[:/]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

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

def admin_for(env: dict[str, str]) -> Iterator[GatewayAdmin]:
    db = Database(env["SMSGW_KIT_DATABASE_URL"])
    yield GatewayAdmin(db, keyring=Keyring.load(path=Path(env["SMSGW_KIT_KEY_FILE"])), actor="e2e")
    db.dispose()

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
    # Voilà starts a kernel and runs the notebook before the page loads: on a busy machine (the suite's
    # other worker running beside it) that alone can pass the 20 s every other step gets.
    page.goto(url, timeout=60_000)
    expect(page.locator(".smsgw-admin")).to_be_visible(timeout=60_000)
    return page


# WCAG 2 contrast of every visible text against the background actually under it (backgrounds of the
# ancestors composed, alpha included), computed from the browser's computed styles.
CONTRAST_JS = """
(root) => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, under) => {
    const a = top.a + under.a * (1 - top.a);
    if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
    const mix = (k) => (top[k] * top.a + under[k] * under.a * (1 - top.a)) / a;
    return { r: mix("r"), g: mix("g"), b: mix("b"), a };
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg && bg.a > 0) { layers.push(bg); if (bg.a >= 1) break; }
    }
    let color = { r: 255, g: 255, b: 255, a: 1 };
    if (layers.length && layers[layers.length - 1].a >= 1) color = layers.pop();
    while (layers.length) color = over(layers.pop(), color);
    return color;
  };
  const lum = (c) => {
    const ch = [c.r, c.g, c.b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const results = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || seen.has(el) || !node.textContent.trim()) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || !el.getClientRects().length || el.closest("[disabled], :disabled")) continue;
    if (el.closest("svg")) continue;  // SVG text is drawn with fill, checked separately
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    const bg = background(el);
    const fg = over({ ...parse(style.color), a: parse(style.color).a * opacity }, bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    results.push({ text: node.textContent.trim().slice(0, 40), ratio: (l1 + 0.05) / (l2 + 0.05),
                   color: style.color, bg: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})` });
  }
  return results;
}
"""


def low_contrast(locator: Locator, minimum: float = 4.5) -> list[dict]:
    """The texts under `locator` whose contrast is below `minimum` (and how many texts were measured)."""
    measured = locator.evaluate(CONTRAST_JS)
    assert measured, "no text measured"
    return [m for m in measured if m["ratio"] < minimum]


def row(page: Page, name: str) -> Locator:
    return page.locator(".smsgw-row", has=page.locator(".smsgw-account-name", has_text=re.compile(f"^{re.escape(name)}$")))


def delete_dialogs_read(page: Page, linked: str, store: str, unlinked: str) -> None:
    """Delete on a linked account: refused, naming `store`; on an unlinked one: the confirmation naming
    it, then Cancel. Each dialog's text legible (4.5:1)."""
    row(page, linked).get_by_role("button", name="Delete").click()
    confirm = page.locator(".smsgw-delete-dialog")
    expect(confirm.locator(".smsgw-delete-message")).to_contain_text(store)
    assert low_contrast(confirm) == []
    confirm.get_by_role("button", name="Close").click()
    row(page, unlinked).get_by_role("button", name="Delete").click()
    expect(confirm).to_contain_text(f"Delete the SMS gateway account {unlinked}?")
    assert low_contrast(confirm) == []
    confirm.get_by_role("button", name="Cancel").click()


def inside_viewport(page: Page, locator: Locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (box is not None and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= size["height"]
            and box["x"] + box["width"] <= size["width"])
