"""Fixtures for executing the notebooks: a seeded demo database, its key file, and the emulator it talks to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from demo_data import seed

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.db import URL_ENV
from smsgw_kit.secrets import KEY_FILE_ENV
from smsgw_kit.testing import ProviderEmulator

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
RUNBOOKS = NOTEBOOKS / "runbooks"


@dataclass
class Demo:
    """The demo database a test runs notebooks against."""

    url: str
    key_file: Path
    emulator: ProviderEmulator
    folder: Path

    def admin(self) -> GatewayAdmin:
        """An admin that reads the keys from the key file now, as a new session would."""
        return GatewayAdmin(Database(self.url), keyring=Keyring.load(path=self.key_file), actor="test")

    def run_runbook(self, name: str, **parameters) -> nbformat.NotebookNode:
        """Execute notebooks/runbooks/<name>.ipynb with papermill; raises PapermillExecutionError on failure."""
        out = self.folder / f"{name}.out.ipynb"
        return pm.execute_notebook(
            str(RUNBOOKS / f"{name}.ipynb"), str(out), parameters=parameters, kernel_name="python3",
            cwd=str(self.folder), progress_bar=False,
        )


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    """A seeded demo database; kernels started during the test use it (they inherit the environment)."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    key_file = tmp_path / "secret.keys"
    monkeypatch.setenv(URL_ENV, url)
    monkeypatch.setenv(KEY_FILE_ENV, str(key_file))
    with ProviderEmulator() as emu:
        seed(url, Keyring.load(path=key_file), emu)
        yield Demo(url=url, key_file=key_file, emulator=emu, folder=tmp_path)

