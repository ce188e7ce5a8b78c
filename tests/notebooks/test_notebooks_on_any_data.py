"""Every notebook also runs on the databases an operator starts with: an empty one, and one with only
creations (nothing edited, tested or made the default). The demo data is covered by the nbval run."""

from __future__ import annotations

import nbformat
import pytest
from demo_data import seed_creations
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbval_run import NEW_PASSWORD, NOTEBOOKS, all_notebooks

from smsgw_kit import Database, Keyring
from smsgw_kit.testing import ProviderEmulator

# On an empty database the credential rotation has no account to rotate; it must stop saying so,
# rather than succeed quietly (a typo in the account name would otherwise leave old credentials in use).
STOPS_ON_EMPTY = {"runbooks/rotate_credentials.ipynb": "NotFound: No SMS gateway account with name 'Primary'."}


def _problems(nb: nbformat.NotebookNode) -> list[str]:
    """Error outputs and anything written to stderr (warnings included) by the executed notebook."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"{cell.get('id')}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("name") == "stderr":
                found.append(f"{cell.get('id')}: stderr: {out.get('text', '')[:300]}")
    return found


@pytest.mark.parametrize("state", ["empty", "creations only"])
def test_every_notebook_runs_clean(state, tmp_path, monkeypatch):
    url, key_file = f"sqlite:///{tmp_path / 'smsgw.db'}", tmp_path / "secret.keys"
    monkeypatch.setenv("SMSGW_KIT_DATABASE_URL", url)
    monkeypatch.setenv("SMSGW_KIT_KEY_FILE", str(key_file))
    monkeypatch.setenv("SMSGW_KIT_NEW_PASSWORD", NEW_PASSWORD)
    monkeypatch.setenv("MPLBACKEND", "agg")
    with ProviderEmulator() as emu:
        if state == "empty":
            Database(url).dispose()
        else:
            seed_creations(url, Keyring.load(path=key_file), emu)
            emu.add_credentials("Nexmo", user_name=emu.account_settings("Nexmo")["user_name"], password=NEW_PASSWORD)
        failures = {}
        for name in all_notebooks():
            nb = nbformat.read(NOTEBOOKS / name, as_version=4)
            client = NotebookClient(nb, kernel_name="python3", timeout=120,
                                    resources={"metadata": {"path": str(tmp_path)}})
            try:
                client.execute()
            except CellExecutionError:
                pass  # the error output is in the notebook, inspected below
            problems = _problems(nb)
            expected_stop = STOPS_ON_EMPTY.get(name) if state == "empty" else None
            if expected_stop:
                assert len(problems) == 1 and expected_stop in problems[0], (name, problems)
            elif problems:
                failures[name] = problems
    assert failures == {}, "\n".join(f"{k}: {p}" for k, v in failures.items() for p in v)
