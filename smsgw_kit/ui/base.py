"""Composite widgets: a plain class that owns its children, renders its root and releases observers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w


def close_tree(widget: w.Widget) -> None:
    """Close a widget, every widget below it, and their layout and style models."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, w.Widget):
            part.close()
    widget.close()


def button(description: str, handler: Callable[[], Any] | None = None, *, style: str = "",
           classes: tuple[str, ...] = (), tooltip: str = "") -> w.Button:
    """A button whose title is its description (so browsers and tests find it by name)."""
    b = w.Button(description=description, button_style=style, tooltip=tooltip or description,
                 layout=w.Layout(width="auto", align_self="flex-start"))
    for cls in classes:
        b.add_class(cls)
    if handler is not None:
        b.on_click(lambda _b: handler())
    return b


def show(widget: w.Widget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


class Composite:
    """Owns a root widget; renders through it and releases its observers in close()."""

    root: w.Box

    def __init__(self) -> None:
        self._observers: list[tuple[w.Widget, Callable, str]] = []

    def observe(self, widget: w.Widget, handler: Callable[[dict], Any], name: str = "value") -> None:
        widget.observe(handler, names=name)
        self._observers.append((widget, handler, name))

    def close(self) -> None:
        for widget, handler, name in self._observers:
            widget.unobserve(handler, names=name)
        self._observers.clear()
        close_tree(self.root)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.root._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.root)
