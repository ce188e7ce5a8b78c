"""The apply_config runbook through papermill: it shows the plan, and changes the database only when asked."""

from __future__ import annotations

import pytest
import yaml
from nbval_run import outputs_text
from papermill import PapermillExecutionError
from test_runbooks import stored_secrets

from smsgw_kit import Keyring

NEW_SECRET = "bulk-secret-from-the-vault-42"


@pytest.fixture
def document(demo, monkeypatch):
    """The demo's configuration with Backup's sender changed, a new account whose secret is in the environment,
    made Corp AD's fallback, and a route for +44 through Backup."""
    doc = demo.admin().export_config(secrets="omit")
    backup = next(a for a in doc["accounts"] if a["name"] == "Backup")
    backup["sender_id"] = "+15005550009"
    doc["accounts"].append({"name": "Reserve", "gateway_type": "Nexmo", "user_name": "reserve1",
                            "password": "env:RESERVE_PASSWORD", "sender_id": "GroupID"})
    doc["fallbacks"] = {"Corp AD": ["Reserve"]}
    doc["routes"] = {"Corp AD": {"+44": "Backup"}}
    monkeypatch.setenv("RESERVE_PASSWORD", NEW_SECRET)  # the kernel inherits it
    path = demo.folder / "gateways.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_without_apply_it_shows_the_plan_and_changes_nothing(demo, document):
    events = len(demo.admin().audit_frame())

    nb = demo.run_runbook("apply_config", document=str(document))

    text = outputs_text(nb)
    assert "Plan: 1 account.create, 1 account.modify, 1 fallbacks.set, 1 routes.set." in text
    assert "+15005550009" in text and "Reserve" in text  # the plan table
    assert "Not applied" in text
    assert "Reserve" not in [a.name for a in demo.admin().list_accounts()]
    assert len(demo.admin().audit_frame()) == events
    assert NEW_SECRET not in text


def test_with_apply_it_applies_once(demo, document):
    nb = demo.run_runbook("apply_config", document=str(document), apply=True)

    assert "Applied 4 change(s) in one transaction" in outputs_text(nb)
    assert "route for +44" in outputs_text(nb)  # the routes frame at the end
    admin = demo.admin()
    assert admin.get_account("Backup").sender_id == "+15005550009"
    [token] = stored_secrets(demo.url, "Reserve")
    assert Keyring.load(path=demo.key_file).decrypt(token) == NEW_SECRET  # resolved in the kernel, encrypted
    actions = admin.audit_frame().sort_values("id").action.tolist()[-4:]
    assert actions == ["account.create", "account.modify", "store.set_fallbacks", "store.set_route"]
    assert admin.store_routing("Corp AD").fallbacks == ("Reserve",)
    assert NEW_SECRET not in outputs_text(nb)

    again = demo.run_runbook("apply_config", document=str(document), apply=True)
    assert "Nothing to apply" in outputs_text(again)


def test_a_bad_document_stops_the_runbook_naming_the_entry(demo, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts:\n- {name: Backup, proxy_port: 99999}\n")

    with pytest.raises(PapermillExecutionError, match=r"accounts\[0\]\.proxy_port"):
        demo.run_runbook("apply_config", document=str(bad), apply=True)


def test_without_a_document_the_plan_is_empty(demo):
    nb = demo.run_runbook("apply_config")
    assert "Plan: no changes." in outputs_text(nb) and "Nothing to apply" in outputs_text(nb)
