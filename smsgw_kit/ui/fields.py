"""A labelled input with its error slot below it, so each error appears next to its field."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from ipywidgets.widgets.widget_description import DescriptionStyle

from .base import show
from .inputs import SecretBox, TextBox
from .messages import error_html

LABEL_WIDTH = "170px"
INPUT_WIDTH = "520px"


def _label(text: str, required: bool) -> str:
    return f"{text} *" if required else text


class Field:
    """One form field: the input (TextBox, SecretBox, Dropdown, Textarea…) and, under it, its error text."""

    def __init__(self, name: str, label: str, widget: w.DOMWidget, *, required: bool = False):
        self.name = name
        self.input = widget
        self.error = w.HTML("")
        self.error.add_class("smsgw-field-error")
        self.root = w.VBox([widget, self.error])
        self.root.add_class("smsgw-field")
        self.root.add_class(f"smsgw-field-{name.replace('_', '-')}")
        if isinstance(getattr(widget, "style", None), DescriptionStyle):
            widget.style.description_width = LABEL_WIDTH
        widget.layout.width = INPUT_WIDTH
        self.relabel(label, required)

    @classmethod
    def text(cls, name: str, label: str, *, password: bool = False, required: bool = False,
             placeholder: str = "") -> Field:
        widget = (SecretBox if password else TextBox)(description=label, placeholder=placeholder)
        return cls(name, label, widget, required=required)

    def relabel(self, label: str, required: bool = False) -> None:
        self.label = label
        self.required = required
        self.input.description = _label(label, required)

    @property
    def value(self) -> Any:
        return self.input.value

    @value.setter
    def value(self, value: Any) -> None:
        self.input.value = value

    def set_error(self, text: str) -> None:
        self.error.value = error_html(text)

    def visible(self, flag: bool) -> None:
        show(self.root, flag)
