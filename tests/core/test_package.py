"""The package's promises to type checkers and callers: py.typed shipped, reports exported, no dead errors."""

import ast
import inspect
import tomllib
import typing
from pathlib import Path

import smsgw_kit
from smsgw_kit import errors
from smsgw_kit.service import GatewayAdmin

ROOT = Path(smsgw_kit.__file__).parent


def test_py_typed_is_shipped_as_package_data():
    assert (ROOT / "py.typed").is_file()
    pyproject = tomllib.loads((ROOT.parent / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["smsgw_kit"]


def test_connection_report_is_exported_and_is_what_tests_return():
    assert "ConnectionReport" in smsgw_kit.__all__
    for method in (GatewayAdmin.test_connection, GatewayAdmin.test_settings):
        assert typing.get_type_hints(method)["return"] is smsgw_kit.ConnectionReport


def _names_used_outside_errors() -> set[str]:
    used: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if path == ROOT / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                used.add(node.func.id)
            if isinstance(node, ast.Call):  # a class handed to a factory, e.g. _after_write(GatewayTimeout, ...)
                used.update(a.id for a in node.args if isinstance(a, ast.Name))
            elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Name):
                used.add(node.exc.id)
    return used


def test_every_concrete_error_is_raised_somewhere():
    """An error class nobody raises is a promise nobody keeps; base classes are caught, not raised."""
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, errors.SmsgwError) and c.__module__ == errors.__name__]
    leaves = [c for c in classes if not any(o is not c and issubclass(o, c) for o in classes)]
    unused = sorted(c.__name__ for c in leaves if c.__name__ not in _names_used_outside_errors())
    assert unused == []
