"""`nbval_run.py --record` rewrites expected_outputs.json only when a recorded output changed."""

from __future__ import annotations

import json

import nbval_run


def test_recording_the_same_outputs_rewrites_nothing(monkeypatch, tmp_path, capsys):
    path = tmp_path / "expected_outputs.json"
    path.write_bytes(nbval_run.EXPECTED.read_bytes())
    monkeypatch.setattr(nbval_run, "EXPECTED", path)
    before = path.stat().st_mtime_ns
    same = json.loads(path.read_text())
    assert nbval_run.write_if_changed(same) == []
    assert path.stat().st_mtime_ns == before and "unchanged" in capsys.readouterr().out
    changed = {**same, "quickstart.ipynb": {**same["quickstart.ipynb"], "new-cell": []}}
    assert nbval_run.write_if_changed(changed) == ["quickstart.ipynb new-cell"]
    assert json.loads(path.read_text()) == changed
