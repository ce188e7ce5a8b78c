"""What the browser tests measure on the page: text contrast from computed styles, rows, boxes."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

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


def inside_viewport(page: Page, locator: Locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (box is not None and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= size["height"]
            and box["x"] + box["width"] <= size["width"])
