"""The secrets scan: after a whole session of work, no clear secret is anywhere we write or show.

The session creates, edits, tests (passing and failing, through a real authenticating proxy),
rotates the key and runs every notebook; then the SQLite file or a pg_dump, every frame and repr,
every log record at DEBUG, every exception text and every saved notebook are searched for each
secret in each form a request carries it: plain, URL-encoded (%20 and +), JSON-escaped and inside
Basic authorization.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote, quote_plus

import papermill as pm
import pytest
import sqlalchemy as sa
from proxy_credentials import PROXY_PASSWORD, PROXY_USER

from smsgw_kit import GatewayAdmin, InvalidInput, SmsgwError
from smsgw_kit.testing.credentials import generic_options

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PHONE = "447079692712"
TAG = uuid.uuid4().hex[:6]
SECRETS = {
    "password": f"Scan pw/{TAG}+1",
    "password_2": f"Scan pw/{TAG}+2",
    "rotated_by_runbook": f"Scan rb/{TAG}+3",
    "generic": f"Scan gen/{TAG}+4",
    "header_token": f"tok_{TAG}_scan_header",
    "form_only": f"Scan form/{TAG}+5",
}


def forms(secret: str) -> set[str]:
    """Each way a request can carry `secret` (Basic with the user names this session uses)."""
    found = {secret, quote(secret, safe=""), quote(secret, safe="/"), quote_plus(secret), json.dumps(secret)[1:-1]}
    for user in ("", "emu12345", "user", PROXY_USER):
        found.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return found


def leaks(text: str) -> list[str]:
    return [f"{s!r} as {f!r}" for s in SECRETS.values() for f in forms(s) if f in text]


def _session(admin: GatewayAdmin, emu, proxy, errors: list[str]) -> None:
    nexmo = emu.account_settings("Nexmo", https=False)
    for key in ("password", "password_2", "rotated_by_runbook"):
        emu.add_credentials("Nexmo", user_name=nexmo["user_name"], password=SECRETS[key])
    emu.add_credentials("Generic HTTP", password=SECRETS["header_token"])
    via_proxy = {"proxy_host_name": "127.0.0.1", "proxy_port": proxy.port, "proxy_user_name": PROXY_USER,
                 "proxy_password": PROXY_PASSWORD}
    admin.create_account(name="Primary", gateway_type="Nexmo", **{**nexmo, "password": SECRETS["password"]},
                         **via_proxy, set_default=True)
    admin.create_account(name="Echo", gateway_type="Generic HTTP", password=SECRETS["generic"], **via_proxy,
                         gateway_url=f"{emu.base_url}/generic/nowhere/{{password}}/send",
                         options={**generic_options(emu.base_url), "credentials_url": ""})
    admin.create_account(name="Token", gateway_type="Generic HTTP", gateway_url=emu.url_for("Generic HTTP", https=False),
                         options={**generic_options(emu.base_url), "headers": {},
                                  "secret_headers": {"Authorization": f"Bearer {SECRETS['header_token']}"}})
    admin.create_identity_store(name="Corp AD")
    assert admin.test_connection("Primary", PHONE).outcome == "passed"  # through the proxy
    assert proxy.logged("127.0.0.1")
    echo = admin.test_connection("Echo", PHONE)  # a 404 echoing the URL-encoded password
    assert echo.outcome == "failed" and "HTTP 404" in echo.summary
    assert admin.test_connection("Token", PHONE).outcome == "passed"
    admin.modify_account("Primary", password=SECRETS["password_2"])
    admin.test_accounts(phone=PHONE)
    report = admin.test_settings(gateway_type="Nexmo", **{**nexmo, "password": SECRETS["form_only"]}, phone=PHONE)
    assert report.outcome == "failed"  # the emulator does not know this one
    for bad in (lambda: admin.modify_account("Primary", password=SECRETS["password"] + "\x00"),
                lambda: admin.create_account(name="Primary", gateway_type="Nexmo", **nexmo)):
        with pytest.raises(SmsgwError) as err:
            bad()
        errors.append(str(err.value) + repr(err.value))
    assert isinstance(InvalidInput("x", "y"), SmsgwError)
    admin.rotate_encryption_key()
    errors.extend(repr(r) for r in admin.test_accounts().values())


def _notebooks(folder: Path, monkeypatch) -> list[Path]:
    """Every notebook, run with papermill on this session's database; the saved outputs."""
    monkeypatch.setenv("SCAN_NEW_PASSWORD", SECRETS["rotated_by_runbook"])
    runs = {
        "quickstart.ipynb": {}, "admin_center.ipynb": {}, "custom_gateway.ipynb": {}, "audit.ipynb": {},
        "runbooks/test_all_gateways.ipynb": {"phone": PHONE, "fail_on_failure": False},
        "runbooks/rotate_credentials.ipynb": {"account": "Primary", "new_password_env": "SCAN_NEW_PASSWORD"},
        "runbooks/rotate_encryption_key.ipynb": {},
        "runbooks/move_identity_stores.ipynb": {"from_account": "Primary", "to_account": "Token", "delete_old": False},
        "runbooks/verify_secrets.ipynb": {},
        "runbooks/apply_config.ipynb": {},  # plans the database's own export: secrets as references only
        "runbooks/failover_drill.ipynb": {"phones": [PHONE], "fail_on_failure": False},
    }
    assert set(runs) == {p.relative_to(NOTEBOOKS).as_posix() for p in NOTEBOOKS.rglob("*.ipynb")
                         if ".ipynb_checkpoints" not in p.parts}, "a new notebook must join the scan"
    saved = []
    for name, parameters in runs.items():
        out = folder / name.replace("/", "__")
        pm.execute_notebook(str(NOTEBOOKS / name), str(out), parameters=parameters, kernel_name="python3",
                            cwd=str(folder), progress_bar=False)
        saved.append(out)
    return saved


def _database_text(url: str, folder: Path) -> str:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        blob = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert b"Primary" in blob
        return blob.decode("latin-1")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is needed for the PostgreSQL scan (apt-get install postgresql-client)")
    dump = subprocess.run([pg_dump, "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
                           "-U", parsed.username or "postgres", "--no-owner", parsed.database],
                          capture_output=True, text=True, check=True).stdout
    assert "Primary" in dump and "secret_key" in dump
    return dump


def test_no_clear_secret_anywhere_after_a_session(database_url, emu, proxy, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "smsgw_kit"):
        caplog.set_level(logging.DEBUG, logger=name)
    monkeypatch.setenv("SMSGW_KIT_DATABASE_URL", database_url)
    monkeypatch.setenv("SMSGW_KIT_KEY_FILE", str(tmp_path / "scan.keys"))
    admin = GatewayAdmin(database_url, actor="scanner")
    errors: list[str] = []
    try:
        _session(admin, emu, proxy, errors)
        saved = _notebooks(tmp_path, monkeypatch)
        admin = GatewayAdmin(database_url, actor="scanner")  # the keys the notebooks left
        frames = [admin.accounts_frame(), admin.audit_frame(), admin.store_links_frame(), admin.test_history_frame(),
                  admin.accounts_page()[0]]
        places = {
            "database": _database_text(database_url, tmp_path),
            "frames": "\n".join(f.to_csv() + repr(f.to_dict()) for f in frames),
            "reprs": repr([admin, admin.keyring, admin.list_accounts(), admin.list_identity_stores(),
                           admin.verify_audit()]),
            "logs at DEBUG": caplog.text + "\n".join(repr(r.__dict__) for r in caplog.records),
            "exceptions": "\n".join(errors),
            "notebooks": "\n".join(p.read_text() for p in saved),
        }
    finally:
        admin.db.dispose()
    assert len(caplog.records) > 50 and any(r.name.startswith("httpcore") for r in caplog.records)
    assert "HTTP Request" in caplog.text  # httpx's request lines were there to leak from
    found = {where: leaks(text) for where, text in places.items()}
    assert found == {where: [] for where in places}
