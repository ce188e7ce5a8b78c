"""Inputs for a gateway type's own options (e.g. the Generic HTTP method, fields and headers)."""

from __future__ import annotations

import json
from typing import Any

import ipywidgets as w

from ..errors import InvalidInput
from ..gateways.base import OptionSpec
from .fields import Field


def _widget(spec: OptionSpec, value: Any) -> w.ValueWidget:
    if spec.kind == "choice":
        return w.Dropdown(description=spec.label, options=list(spec.choices), value=value or spec.default)
    if spec.kind == "bool":
        return w.Checkbox(description=spec.label, value=bool(value), indent=True)
    if spec.kind == "mapping":
        lines = "\n".join(f"{k} = {v}" for k, v in (value or {}).items())
        return w.Textarea(description=spec.label, value=lines, placeholder="name = value, one per line", rows=3)
    return w.Text(description=spec.label, value="" if value is None else str(value), placeholder=spec.help)


def parse_mapping(name: str, text: str) -> dict[str, str]:
    """'to = {phone}' lines (or a JSON object) → {'to': '{phone}'}; the gateway checks the meaning."""
    if text.strip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise InvalidInput(f"options.{name}", f"is not valid JSON ({exc})") from None
    mapping = {}
    for line in filter(str.strip, text.splitlines()):
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"options.{name}", f"line {line.strip()!r} has no 'name = value'")
        mapping[key.strip()] = value.strip()
    return mapping


class OptionsEditor:
    """One field per option the gateway type declares; `values()` gives the account's options."""

    def __init__(self, specs: tuple[OptionSpec, ...], current: dict[str, Any] | None = None):
        current = current or {}
        self.specs = specs
        self.fields = {s.name: Field(f"options.{s.name}", s.label, _widget(s, current.get(s.name, s.default)),
                                     required=s.required) for s in specs}
        for spec, field in zip(specs, self.fields.values(), strict=True):
            field.input.tooltip = spec.help or None
        self.root = w.VBox([f.root for f in self.fields.values()])

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in self.specs:
            value = self.fields[spec.name].value
            if spec.kind == "mapping":
                value = parse_mapping(spec.name, value)
            elif spec.kind == "int" and isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            if value not in ("", None):
                out[spec.name] = value
        return out
