"""The `smsgw` command, through click's CliRunner and as a real `python3 -m smsgw_kit` process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from smsgw_kit import Database, GatewayAdmin, Keyring
from smsgw_kit.cli import cli
from smsgw_kit.testing import ProviderEmulator

REPO = Path(__file__).resolve().parents[2]
PHONE = "447079692712"


@pytest.fixture(scope="module")
def emulator():
    with ProviderEmulator() as emu:
        yield emu


class Site:
    """A database with two accounts on the emulator and a store, and the environment a shell would have."""

    def __init__(self, url: str, folder: Path, emu: ProviderEmulator):
        self.url, self.key_file, self.emu = url, folder / "secret.keys", emu
        self.env = {"SMSGW_KIT_DATABASE_URL": url, "SMSGW_KIT_KEY_FILE": str(self.key_file)}

    def admin(self) -> GatewayAdmin:
        return GatewayAdmin(Database(self.url), keyring=Keyring.load(path=self.key_file), actor="setup")

    def populate(self) -> Site:
        admin = self.admin()
        admin.create_account(name="Primary", gateway_type="Nexmo", set_default=True, **self.emu.account_settings("Nexmo"))
        admin.create_account(name="Backup", gateway_type="Twilio", **self.emu.account_settings("Twilio"))
        admin.create_identity_store(name="Corp AD")
        admin.db.dispose()
        return self

    def secrets_env(self) -> dict[str, str]:
        return {"SMSGW_PRIMARY_PASSWORD": self.emu.account_settings("Nexmo")["password"],
                "SMSGW_BACKUP_PASSWORD": self.emu.account_settings("Twilio")["password"]}


@pytest.fixture
def site(database_url, tmp_path, emulator) -> Site:
    emulator.clear()
    return Site(database_url, tmp_path, emulator).populate()


@pytest.fixture
def empty_site(tmp_path, emulator) -> Site:
    return Site(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path / "empty", emulator)


def run(site: Site, *args: str, extra_env: dict | None = None, input: str | None = None):
    return CliRunner().invoke(cli, list(args), env={**site.env, **(extra_env or {})}, input=input,
                              catch_exceptions=False, prog_name="smsgw")


def test_accounts_and_stores_as_a_table_json_and_csv(site):
    table = run(site, "accounts")
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].split()[:3] == ["name", "gateway_type", "user_name"]
    assert "emusecret123" not in table.stdout

    records = json.loads(run(site, "accounts", "--json").stdout)
    assert [(r["name"], r["password"], r["is_default"]) for r in records] == [("Backup", "set", False),
                                                                           ("Primary", "set", True)]
    frame = pd.read_csv(io.StringIO(run(site, "accounts", "--csv").stdout))
    assert list(frame.name) == ["Backup", "Primary"] and "linked_stores" in frame.columns

    stores = json.loads(run(site, "stores", "--json").stdout)
    assert [(s["identity_store"], s["gateway_account"]) for s in stores] == [("Corp AD", "Primary")]
    assert "Corp AD" in run(site, "stores").stdout


def test_export_plan_apply_cycle_between_two_databases(site, empty_site, tmp_path):
    doc = tmp_path / "gateways.yaml"
    assert run(site, "export", "-o", str(doc)).exit_code == 0
    assert yaml.safe_load(doc.read_text())["accounts"][1]["password"] == "env:SMSGW_PRIMARY_PASSWORD"

    plan = run(empty_site, "plan", str(doc), "--exit-code", extra_env=site.secrets_env())
    assert plan.exit_code == 2 and "+ create account 'Primary'" in plan.stdout
    assert "Plan: 2 account.create, 1 default.set, 1 identity_store.create." in plan.stdout
    assert empty_site.admin().list_accounts() == []  # planning writes nothing

    applied = run(empty_site, "apply", str(doc), "--yes", extra_env=site.secrets_env())
    assert applied.exit_code == 0 and "Applied 4 change(s)." in applied.stdout

    again = run(empty_site, "plan", str(doc), "--exit-code", extra_env=site.secrets_env())
    assert again.exit_code == 0 and "No changes" in again.stdout
    tested = run(empty_site, "test", "--all", "--phone", PHONE)  # the secrets arrived intact
    assert tested.exit_code == 0 and "2 passed, 0 failed" in tested.stdout


def test_fallbacks_and_routes_travel_through_export_plan_apply(site, empty_site, tmp_path):
    admin = site.admin()
    admin.set_fallbacks("Corp AD", ["Backup"])
    admin.set_route("Corp AD", "GB", "Backup")
    expected = admin.routes_frame()
    admin.db.dispose()
    doc = tmp_path / "gateways.yaml"
    assert run(site, "export", "-o", str(doc)).exit_code == 0
    assert yaml.safe_load(doc.read_text())["routes"] == {"Corp AD": {"GB": "Backup"}}

    plan = run(empty_site, "plan", str(doc), extra_env=site.secrets_env())
    assert "~ set fallbacks 'Corp AD'\n    fallbacks: [] -> ['Backup']" in plan.stdout
    assert "~ set routes 'Corp AD'\n    GB: (none) -> 'Backup'" in plan.stdout
    assert run(empty_site, "apply", str(doc), "--yes", extra_env=site.secrets_env()).exit_code == 0

    copy = empty_site.admin()
    pd.testing.assert_frame_equal(copy.routes_frame(), expected)
    copy.db.dispose()


def test_export_as_json_without_secrets(site):
    out = run(site, "export", "--format", "json", "--secrets", "omit")
    doc = json.loads(out.stdout)
    assert doc["default"] == "Primary" and all("password" not in a for a in doc["accounts"])


def test_apply_off_a_terminal_needs_yes(site, tmp_path):
    doc = tmp_path / "gateways.yaml"
    doc.write_text("accounts:\n- {name: Primary, sender_id: NewSender}\n")

    refused = run(site, "apply", str(doc))

    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert site.admin().get_account("Primary").sender_id == "smsgwkit"
    assert run(site, "apply", str(doc), "-y").exit_code == 0
    assert site.admin().get_account("Primary").sender_id == "NewSender"


@pytest.mark.parametrize("content, message", [
    ("accounts:\n- {name: Primary, proxy_port: 'x'}\n", "Error: accounts[0].proxy_port: must be int, not str"),
    ("accounts:\n- {name: Primary, password: hunter2}\n", "Error: accounts[0].password: is a secret in clear"),
    ("acounts: []\n", "Error: acounts: is not a section"),
])
def test_errors_are_one_line_without_traceback(site, tmp_path, content, message):
    doc = tmp_path / "bad.yaml"
    doc.write_text(content)

    result = run(site, "plan", str(doc))

    assert result.exit_code == 1
    assert result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1
    assert "hunter2" not in result.stderr and result.stdout == ""


def test_test_reports_and_exits_1_when_any_account_fails(site):
    site.emu.inject("Twilio", error="21610")

    result = run(site, "test", "--all", "--phone", PHONE)

    assert result.exit_code == 1
    assert "FAILED   Backup (Twilio)" in result.stdout and "21610" in result.stdout
    assert "1 passed, 1 failed" in result.stdout
    one = run(site, "test", "Primary", "--phone", PHONE)
    assert one.exit_code == 0 and "1 passed, 0 failed" in one.stdout
    assert run(site, "test").exit_code == 2  # neither names nor --all
    assert run(site, "test", "Nobody").stderr == "Error: No SMS gateway account with name 'Nobody'.\n"


def test_test_all_on_a_database_without_accounts_fails_saying_so(empty_site):
    """A cron line pointed at a mistyped database URL (a new, empty file) must not pass in silence."""
    result = run(empty_site, "test", "--all")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and "holds no SMS gateway account: nothing was tested" in result.stderr
    assert "empty.db" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_verify_and_rotate_key(site):
    assert run(site, "verify").stdout.startswith("Secrets: 2 decrypt")
    old = site.key_file.read_text()

    rotated = run(site, "rotate-key")

    assert rotated.exit_code == 0 and "Re-encrypted 2 secret(s)" in rotated.stdout
    assert site.key_file.read_text() != old
    assert run(site, "verify").exit_code == 0
    site.key_file.write_text(old)  # the retired key cannot read the secrets any more
    failed = run(site, "verify")
    # connect() refuses keys that cannot read the database's secrets, naming the key it expects
    assert failed.exit_code == 1 and failed.stderr.startswith("Error: These keys cannot read the stored secrets")
    assert "\n" not in failed.stderr.rstrip("\n")  # one line, no traceback


def test_help_has_examples_and_completion(site):
    text = run(site, "--help").stdout
    assert "smsgw test --all --phone" in text and "_SMSGW_COMPLETE=bash_source smsgw" in text
    script = run(site, extra_env={"_SMSGW_COMPLETE": "bash_source"}).stdout
    assert "_smsgw_completion" in script
    names = run(site, "test", "P", extra_env={"_SMSGW_COMPLETE": "bash_complete", "COMP_WORDS": "smsgw test P",
                                              "COMP_CWORD": "2"})
    assert "plain,Primary" in names.stdout


# -- A real process, as cron or CI runs it --------------------------------------------------------------------


def smsgw(site: Site, *args: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSGW_")}
    env.update(site.env, PYTHONPATH=str(REPO), **(extra_env or {}))
    return subprocess.run([sys.executable, "-m", "smsgw_kit", *args], check=False, env=env, capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def test_the_real_command_against_the_database(site, tmp_path):
    doc = tmp_path / "gateways.yaml"
    exported = smsgw(site, "export", "-o", str(doc))
    assert exported.returncode == 0, exported.stderr

    text = doc.read_text().replace("sender_id: smsgwkit", "sender_id: Renamed")
    doc.write_text(text)
    applied = smsgw(site, "apply", str(doc), "--yes", extra_env=site.secrets_env())
    assert applied.returncode == 0, applied.stderr
    assert "sender_id: 'smsgwkit' -> 'Renamed'" in applied.stdout
    listed = json.loads(smsgw(site, "accounts", "--json").stdout)
    assert {r["name"]: r["sender_id"] for r in listed} == {"Backup": "+15005550006", "Primary": "Renamed"}

    site.emu.inject("Nexmo", error="4")
    tested = smsgw(site, "test", "--all", "--phone", PHONE)
    assert tested.returncode == 1 and "1 passed, 1 failed" in tested.stdout

    broken = smsgw(site, "plan", str(tmp_path / "missing.yaml"))
    assert broken.returncode == 2 and "does not exist" in broken.stderr
    bad_url = smsgw(site, "--database-url", "nosuchdb://x", "accounts")
    assert bad_url.returncode == 1 and bad_url.stderr.startswith("Error: Cannot use the database URL")
    assert "Traceback" not in broken.stderr + bad_url.stderr + tested.stderr
