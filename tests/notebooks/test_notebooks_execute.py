"""Every notebook in notebooks/ runs under nbval against the demo database and the emulator, checked cells compared."""

from __future__ import annotations

import copy
import json

import nbformat
from nbval_run import EXPECTED, NOTEBOOKS, all_notebooks, checked_cells, run_nbval


def code_cell_count(name: str) -> int:
    return sum(c.cell_type == "code" for c in nbformat.read(NOTEBOOKS / name, as_version=4).cells)


def test_every_notebook_runs_and_its_checked_cells_match(tmp_path):
    proc, outcomes = run_nbval(tmp_path)
    log = (proc.stdout + proc.stderr)[-6000:]

    assert proc.returncode == 0, f"nbval failed:\n{log}"
    assert "admin_center.ipynb" in outcomes
    for name in all_notebooks():
        assert outcomes.get(name) == {"passed": code_cell_count(name)}, f"{name}: {outcomes.get(name)}\n{log}"


def test_expected_outputs_cover_exactly_the_checked_cells():
    expected = json.loads(EXPECTED.read_text())
    assert sum(map(len, expected.values())) >= 20
    assert set(expected) >= {"quickstart.ipynb", "custom_gateway.ipynb", "audit.ipynb"}
    for name in all_notebooks():
        marked = {c.id for c in checked_cells(nbformat.read(NOTEBOOKS / name, as_version=4))}
        assert marked == set(expected.get(name, {})), f"{name}: re-record the expected outputs"


def test_a_checked_cell_whose_output_changed_fails(tmp_path):
    expected = copy.deepcopy(json.loads(EXPECTED.read_text()))
    outputs = expected["custom_gateway.ipynb"]["register"]
    outputs[0]["text"] = outputs[0]["text"].replace("Sinch, Twilio", "Sinch, Twilio, Plivo")

    proc, outcomes = run_nbval(tmp_path, ["custom_gateway.ipynb"], expected)

    assert proc.returncode != 0
    assert outcomes["custom_gateway.ipynb"]["failure"] == 1, outcomes
    assert "Plivo" in proc.stdout
