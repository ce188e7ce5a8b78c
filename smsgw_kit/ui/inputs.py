"""Text boxes whose keystrokes reach the kernel in order with button clicks, and secret boxes kept kernel-side.

ipywidgets sends a text box's state updates at most one at a time (the next waits for the kernel to go
idle) while a button click is sent at once, so a click right after typing could run on an older value
than the one shown. These boxes send every edit as a message on the widget's comm instead, which keeps
the order of keystrokes and clicks. A `SecretBox` never puts what is typed into the widget's state at all:
the value lives in the kernel object only, so no saved notebook (widget-state saving on or off) holds it.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets as t

_ESM = """
function render({ model, el }) {
  // Unique per view: each widget may load this module on its own, so no module-level counter.
  const id = `smsgw-input-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const label = document.createElement("label");
  label.className = "smsgw-input-label";
  label.htmlFor = id;
  const input = document.createElement("input");
  input.id = id;
  input.className = "smsgw-input";
  input.autocomplete = model.get("password") ? "new-password" : "off";
  input.spellcheck = false;
  const attrs = () => {
    const text = model.get("description");
    label.textContent = text;
    label.style.display = text ? "" : "none";
    input.type = model.get("password") ? "password" : "text";
    input.placeholder = model.get("placeholder");
    input.disabled = model.get("disabled");
    input.title = model.get("tooltip");
  };
  const shown = () => {
    const value = model.get("value");
    // Never overwrite what the operator is typing with an older value from the kernel.
    if (value !== undefined && value !== null && input.value !== value && document.activeElement !== input) {
      input.value = value;
    }
  };
  attrs();
  shown();
  input.addEventListener("input", () => {
    model.send({ value: input.value });
    // A plain text box also keeps the value in the page's model (not sent: the message above is), so a
    // redrawn view shows it. A password box never does: the page's model is what a notebook saves.
    if (!model.get("password")) model.set("value", input.value);
  });
  model.on("change:description change:placeholder change:disabled change:password change:tooltip", attrs);
  model.on("change:value", shown);
  model.on("msg:custom", (msg) => { if (msg && msg.clear) { input.value = ""; } });
  el.classList.add("smsgw-input-box");
  el.append(label, input);
}
export default { render };
"""

_CSS = """
.smsgw-input-box { display: flex; align-items: center; gap: 0; }
.smsgw-input-label { flex: 0 0 var(--smsgw-label-width, 170px); text-align: right; padding-right: 8px;
  color: var(--jp-ui-font-color1, #1f1f1f); font-size: var(--jp-widgets-font-size, 13px);
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.smsgw-input { flex: 1 1 auto; min-width: 0; height: var(--jp-widgets-inline-height, 28px); box-sizing: border-box;
  padding: 2px 6px; font-size: var(--jp-widgets-font-size, 13px);
  color: var(--jp-widgets-input-color, var(--jp-ui-font-color1, #1f1f1f));
  background: var(--jp-widgets-input-background-color, var(--jp-layout-color1, #fff));
  border: var(--jp-widgets-input-border-width, 1px) solid var(--jp-widgets-input-border-color, #9e9e9e); }
.smsgw-input:focus { border-color: var(--jp-widgets-input-focus-border-color, #64b5f6); outline: none; }
.smsgw-input::placeholder { color: var(--jp-ui-font-color2, #616161); opacity: 1; }
.smsgw-input:disabled { opacity: 0.6; }
"""


class _Box(anywidget.AnyWidget):
    _esm = _ESM
    _css = _CSS
    description = t.Unicode("").tag(sync=True)
    placeholder = t.Unicode("").tag(sync=True)
    tooltip = t.Unicode("").tag(sync=True)
    disabled = t.Bool(False).tag(sync=True)
    password = t.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.on_msg(self._typed)

    def _typed(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and isinstance(content.get("value"), str):
            self._edit(content["value"])

    def _edit(self, value: str) -> None:
        raise NotImplementedError


class TextBox(_Box):
    """A one-line text box (`value` is synced to the page, edits come back as ordered messages)."""

    value = t.Unicode("").tag(sync=True)

    def _edit(self, value: str) -> None:
        with self._lock_property(value=value):  # the page already shows it: no echo back
            self.value = value


class SecretBox(_Box):
    """A password box whose typed value stays in the kernel: not in the widget state, not in a saved notebook."""

    value = t.Unicode("")  # deliberately not synced
    password = t.Bool(True).tag(sync=True)

    def __init__(self, **kwargs: Any):
        self._typing = False
        super().__init__(**kwargs)
        self.observe(self._cleared, names="value")

    def _edit(self, value: str) -> None:
        self._typing = True
        try:
            self.value = value
        finally:
            self._typing = False

    def _cleared(self, change: dict) -> None:
        if change["new"] == "" and not self._typing and self.comm is not None:
            self.send({"clear": True})

    def set_state(self, sync_data: dict) -> None:
        """A browser edit of `value` (what tests simulate) goes where a typed message would."""
        sync_data = dict(sync_data)
        if "value" in sync_data:
            self._edit(sync_data.pop("value"))
        if sync_data:
            super().set_state(sync_data)
