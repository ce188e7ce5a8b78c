"""The notebooks as committed: no outputs, execution counts or widget state; runbooks parameterised for papermill."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p for p in (REPO / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
RUNBOOKS = [p for p in NOTEBOOKS if p.parent.name == "runbooks"]
PARAMETER_LINE = re.compile(r"^(\w+): (str|int|float|bool|list|dict) = .+  # \S.*$")


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What makes a notebook unfit to commit: stored outputs, execution counts, saved widget state."""
    found = [f"notebook metadata has {key!r}" for key in ("widgets",) if key in nb.metadata]
    for i, cell in enumerate(nb.cells):
        if cell.get("outputs"):
            found.append(f"cell {i} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {i} has an execution count")
        if "widgets" in cell.get("metadata", {}):
            found.append(f"cell {i} metadata has 'widgets'")
        if "attachments" in cell:
            found.append(f"cell {i} has attachments")
    return found


def test_the_notebooks_are_all_there():
    names = {p.relative_to(REPO / "notebooks").as_posix() for p in NOTEBOOKS}
    assert names >= {"admin_center.ipynb", "quickstart.ipynb", "audit.ipynb", "custom_gateway.ipynb",
                     "runbooks/test_all_gateways.ipynb", "runbooks/rotate_credentials.ipynb",
                     "runbooks/move_identity_stores.ipynb", "runbooks/rotate_encryption_key.ipynb",
                     "runbooks/verify_secrets.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert problems(nb) == []


def test_the_check_finds_what_it_looks_for():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    nb.cells[0].execution_count = 1
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    assert problems(nb) == ["notebook metadata has 'widgets'", "cell 0 has outputs", "cell 0 has an execution count"]


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: p.name)
def test_runbook_parameters_are_typed_and_explained(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    lines = [line for line in tagged[0].source.splitlines() if line.strip()]
    assert lines and all(PARAMETER_LINE.match(line) for line in lines), lines
    params = pm.inspect_notebook(str(path))
    assert "database_url" in params
    assert all(p["inferred_type_name"] != "None" and p["help"] for p in params.values()), params
    assert not any(re.search(r"password|secret|token|(^|_)key$", name) and not name.endswith("_env") for name in params), \
        "secrets come from the environment, never parameters (papermill stores parameters in its output)"
