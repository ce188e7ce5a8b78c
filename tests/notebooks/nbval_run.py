"""Execute every notebook under nbval against the demo database, comparing the checked cells.

The committed notebooks hold no outputs, so the expected outputs of the cells marked
`# NBVAL_CHECK_OUTPUT` live in expected_outputs.json (already sanitised, keyed by notebook and cell id).
Each run copies notebooks/ to a temporary folder, puts those outputs into the checked cells, and runs
`pytest --nbval-lax` there in a subprocess. After changing a checked cell, record again:

    python tests/notebooks/nbval_run.py --record
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NOTEBOOKS = REPO / "notebooks"
SANITIZE = HERE / "sanitize.cfg"
EXPECTED = HERE / "expected_outputs.json"
CHECK = "# NBVAL_CHECK_OUTPUT"
# Order matters: the runbooks change the demo database (the move deletes Legacy, rotation re-keys).
ORDER = (
    "quickstart.ipynb", "custom_gateway.ipynb", "audit.ipynb", "admin_center.ipynb",
    "runbooks/test_all_gateways.ipynb", "runbooks/rotate_credentials.ipynb",
    "runbooks/move_identity_stores.ipynb", "runbooks/rotate_encryption_key.ipynb",
)
NEW_PASSWORD = "rotated-in-ci-7Qx2"  # what rotate_credentials.ipynb's default run sets for Primary


def all_notebooks() -> list[str]:
    """Every notebook under notebooks/, relative to it: the known ones in ORDER, then any others."""
    found = {p.relative_to(NOTEBOOKS).as_posix() for p in NOTEBOOKS.rglob("*.ipynb")
             if ".ipynb_checkpoints" not in p.parts}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def checked_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith(CHECK)]


def sanitize_patterns() -> list[tuple[str, str]]:
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", SANITIZE.read_text(), flags=re.MULTILINE)


def _sanitized(value, patterns):
    if isinstance(value, str):
        for regex, replace in patterns:
            value = re.sub(regex, replace, value)
        return value
    if isinstance(value, dict):
        return {k: _sanitized(v, patterns) for k, v in value.items()}
    return value


def _comparable(outputs: list, patterns) -> list[dict]:
    """Outputs as stored for comparison: sanitised, without counts, metadata or pictures."""
    kept = []
    for out in outputs:
        out = {k: v for k, v in out.items() if k not in ("execution_count", "metadata", "transient")}
        if "data" in out:
            out["data"] = {k: v for k, v in out["data"].items() if not k.startswith("image/")}
        kept.append(_sanitized(out, patterns))
    return kept


def _stored(output: dict) -> nbformat.NotebookNode:
    """An expected output made a valid nbformat output again (the fields nbval does not compare)."""
    extra = {"metadata": {}} if output["output_type"] in ("display_data", "execute_result") else {}
    if output["output_type"] == "execute_result":
        extra["execution_count"] = None
    return nbformat.from_dict({**output, **extra})


def copy_with_expected_outputs(dest: Path, names: list[str], expected: dict) -> list[Path]:
    """notebooks/ copied to dest, checked cells holding their expected outputs; the notebooks to run, in order."""
    shutil.copytree(NOTEBOOKS, dest / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in names:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        for cell in checked_cells(nb):
            try:
                cell.outputs = [_stored(o) for o in expected[name][cell.id]]
                cell.execution_count = 1  # nbval refuses outputs of a cell that never ran
            except KeyError:
                raise LookupError(f"{name} cell {cell.id!r} is marked {CHECK} but has no expected output; "
                                  f"record them: python {Path(__file__).relative_to(REPO)} --record") from None
        nbformat.write(nb, dest / "notebooks" / name)
    return [dest / "notebooks" / name for name in names]


@contextmanager
def demo_environment(folder: Path):
    """The environment variables the kernels need, with the demo database seeded and its emulator running."""
    sys.path.insert(0, str(HERE))
    from demo_data import seed

    from smsgw_kit import Keyring
    from smsgw_kit.testing import ProviderEmulator

    url, key_file = f"sqlite:///{folder / 'demo.db'}", folder / "secret.keys"
    with ProviderEmulator() as emu:
        seed(url, Keyring.load(path=key_file), emu)
        emu.add_credentials("Nexmo", user_name=emu.account_settings("Nexmo")["user_name"], password=NEW_PASSWORD)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMSGW_KIT_")}
        env.update(SMSGW_KIT_DATABASE_URL=url, SMSGW_KIT_KEY_FILE=str(key_file),
                   SMSGW_KIT_NEW_PASSWORD=NEW_PASSWORD, IPYKERNEL_CELL_NAME="<IPY-INPUT>",
                   PYDEVD_DISABLE_FILE_VALIDATION="1", MPLBACKEND="module://matplotlib_inline.backend_inline")
        yield env


def run_nbval(folder: Path, names: list[str] | None = None, expected: dict | None = None, *,
              timeout: float = 300) -> tuple[subprocess.CompletedProcess, dict[str, Counter]]:
    """Run the notebooks (all by default) under `pytest --nbval-lax` in one subprocess; the process and outcomes per notebook."""
    expected = json.loads(EXPECTED.read_text()) if expected is None else expected
    notebooks = copy_with_expected_outputs(folder, names or all_notebooks(), expected)
    report = folder / "nbval.xml"
    with demo_environment(folder) as env:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
             f"--nbval-sanitize-with={SANITIZE}", "-p", "no:cacheprovider", "-p", "no:randomly",
             f"--rootdir={folder}", f"--junitxml={report}", "-q", "--tb=short",
             *[str(p.relative_to(folder)) for p in notebooks]],
            cwd=folder, env=env, capture_output=True, text=True, timeout=timeout,
        )
    return proc, outcomes_by_notebook(report) if report.exists() else {}


def outcomes_by_notebook(junit_xml: Path) -> dict[str, Counter]:
    """From a JUnit report: per notebook (relative to notebooks/), how many cells passed, failed, errored, skipped."""
    names = {"notebooks." + name.replace("/", "."): name for name in all_notebooks()}
    counts: dict[str, Counter] = {}
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        name = names.get(case.get("classname", ""), case.get("classname", ""))
        for outcome in ("failure", "error", "skipped"):
            if case.find(outcome) is not None:
                break
        else:
            outcome = "passed"
        counts.setdefault(name, Counter())[outcome] += 1
    return counts


def outputs_text(nb: nbformat.NotebookNode) -> str:
    """Every text output of an executed notebook, joined (streams, plain text, errors)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(str(out.get("data", {}).get("text/plain", "")))
            parts.append(str(out.get("data", {}).get("text/html", "")))
            parts.append(" ".join([out.get("ename", ""), out.get("evalue", "")]))
    return "\n".join(parts)


def record() -> None:
    """Execute every notebook in order against the demo database; store the checked cells' outputs."""
    from nbclient import NotebookClient

    patterns = sanitize_patterns()
    expected: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="smsgw-record-") as tmp:
        folder = Path(tmp)
        with demo_environment(folder) as env:
            saved = dict(os.environ)
            os.environ.clear()
            os.environ.update(env)
            try:
                for name in all_notebooks():
                    nb = nbformat.read(NOTEBOOKS / name, as_version=4)  # all, in order: they share the database
                    NotebookClient(nb, kernel_name="python3", timeout=120,
                                   resources={"metadata": {"path": str((NOTEBOOKS / name).parent)}}).execute()
                    if checked_cells(nb):
                        expected[name] = {c.id: _comparable(c.outputs, patterns) for c in checked_cells(nb)}
                        print(f"recorded {len(expected[name])} checked cell(s) of {name}")
            finally:
                os.environ.clear()
                os.environ.update(saved)
    write_if_changed(expected)


def write_if_changed(expected: dict) -> list[str]:
    """Store the recording only when it differs from the file (same bytes for the same outputs: keys
    sorted, fixed indent); the notebook/cell ids that changed, printed."""
    text = json.dumps(expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    old = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
    changed = sorted(f"{name} {cell}" for name in expected.keys() | old.keys()
                     for cell in expected.get(name, {}).keys() | old.get(name, {}).keys()
                     if expected.get(name, {}).get(cell) != old.get(name, {}).get(cell))
    if EXPECTED.exists() and EXPECTED.read_text() == text:
        print(f"{EXPECTED.name} unchanged: nothing rewritten")
        return []
    EXPECTED.write_text(text)
    print(f"{EXPECTED.name} rewritten; changed cells: {', '.join(changed) or 'none (formatting only)'}")
    return changed


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(__doc__)
    record()
