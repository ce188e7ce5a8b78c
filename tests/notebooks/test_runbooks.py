"""Each runbook executed through papermill with non-default parameters, and its effect on the database asserted."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from demo_data import PHONE
from nbval_run import outputs_text
from papermill import PapermillExecutionError

from smsgw_kit import Keyring
from smsgw_kit.models import GatewayAccount


def stored_secrets(url: str, account: str | None = None) -> list[str]:
    """The encrypted secrets as stored (of one account, or all)."""
    table = GatewayAccount.__table__
    query = sa.select(table.c.password_enc, table.c.proxy_password_enc).order_by(table.c.id)
    if account:
        query = query.where(table.c.name == account)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    return [token for row in rows for token in row if token]


def test_test_all_reports_the_injected_failure(demo):
    demo.emulator.clear()  # forget the seeding's requests
    demo.emulator.inject("Twilio", error="21610")

    nb = demo.run_runbook("test_all_gateways", phone=PHONE, accounts=["Backup", "Primary"], fail_on_failure=False)

    text = outputs_text(nb)
    assert "1 passed, 1 failed" in text
    assert "FAILED Backup (Twilio)" in text and "21610" in text
    history = demo.admin().test_history_frame()
    latest = history.sort_values("id").groupby("account_name").tail(1).set_index("account_name")
    assert latest.loc["Backup", "outcome"] == "failed" and latest.loc["Primary", "outcome"] == "passed"
    assert len(demo.emulator.requests_for("Clickatell")) == 0  # only the named accounts were tested


def test_test_all_ends_with_an_error_when_asked_to(demo):
    demo.emulator.inject("Twilio", error="21610")

    with pytest.raises(PapermillExecutionError, match="Backup"):
        demo.run_runbook("test_all_gateways", phone=PHONE, fail_on_failure=True)


def test_rotate_credentials_saves_only_proven_credentials(demo, monkeypatch):
    new = "n3w-api-secret-from-vault"
    user = demo.emulator.account_settings("Nexmo")["user_name"]
    demo.emulator.add_credentials("Nexmo", user_name=user, password=new)
    monkeypatch.setenv("VAULT_NEXMO_SECRET", new)
    demo.emulator.clear()

    nb = demo.run_runbook("rotate_credentials", account="Primary", new_password_env="VAULT_NEXMO_SECRET", phone=PHONE)

    account = demo.admin().get_account("Primary")
    [token] = stored_secrets(demo.url, "Primary")
    assert Keyring.load(path=demo.key_file).decrypt(token) == new
    sends = [r for r in demo.emulator.requests_for("Nexmo") if r.path.endswith("/sms/json")]
    assert sends and {r.fields["api_secret"] for r in sends} == {new}  # tested before and after saving
    assert account.version == 3
    assert new not in outputs_text(nb) and new not in nb.cells[1].source  # never in the output notebook


def test_rotate_credentials_refuses_credentials_that_fail(demo, monkeypatch):
    monkeypatch.setenv("SMSGW_KIT_NEW_PASSWORD", "a-secret-nexmo-does-not-know")
    before = demo.admin().get_account("Primary")

    with pytest.raises(PapermillExecutionError, match="nothing was saved"):
        demo.run_runbook("rotate_credentials", account="Primary")

    after = demo.admin().get_account("Primary")
    assert after.version == before.version
    assert demo.admin().test_connection("Primary").outcome == "passed"  # the old secret is still stored


def test_move_identity_stores_then_delete_the_old_account(demo):
    admin = demo.admin()
    assert admin.default_account().name == "Primary"
    moving = admin.linked_stores("Primary")

    demo.run_runbook("move_identity_stores", from_account="Primary", to_account="Backup", phone=PHONE)

    links = admin.store_links_frame().set_index("identity_store")
    assert set(moving) <= set(links.index[links.gateway_account == "Backup"])
    assert "Primary" not in [a.name for a in admin.list_accounts()]
    assert admin.default_account().name == "Backup"
    assert admin.linked_stores("Legacy") == ["Partners LDAP", "Retail AD"]  # other accounts untouched

    rerun = demo.run_runbook("move_identity_stores", from_account="Primary", to_account="Backup")
    assert "nothing to move" in outputs_text(rerun)


def test_move_identity_stores_moves_nothing_onto_a_failing_account(demo):
    demo.emulator.inject("Twilio", error="21610")

    with pytest.raises(PapermillExecutionError, match="no identity store was moved"):
        demo.run_runbook("move_identity_stores", from_account="Primary", to_account="Backup", phone=PHONE)

    assert demo.admin().linked_stores("Primary") == ["Corp AD"]


def test_rotate_encryption_key_reencrypts_under_the_new_key(demo, monkeypatch):
    old_key = demo.key_file.read_text().strip()
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("NEW_SMSGW_KEY", new_key)
    before = stored_secrets(demo.url)

    demo.run_runbook("rotate_encryption_key", new_key_env="NEW_SMSGW_KEY")

    assert demo.key_file.read_text().split() == [new_key]
    after = stored_secrets(demo.url)
    assert len(after) == len(before) == 4 and not set(after) & set(before)
    new, old = Keyring.from_keys(new_key), Fernet(old_key.encode())
    plaintexts = [new.decrypt(token) for token in after]
    assert plaintexts == [Keyring.from_keys(old_key).decrypt(token) for token in before]
    for token in after:
        with pytest.raises(InvalidToken):
            old.decrypt(token.encode())


def test_failover_drill_previews_sends_and_fails_over_past_a_dead_provider(demo):
    from smsgw_kit.testing import RefusingPort

    admin = demo.admin()
    with RefusingPort() as dead:
        admin.modify_account("Primary", gateway_url=dead.url_for("Nexmo"))  # Corp AD's linked account is down
        admin.set_fallbacks("Corp AD", ["Backup"])
        admin.set_route("Retail AD", "92", "Bulk")
        admin.set_routing_settings(cooldown_seconds=0)
        demo.emulator.clear()

        nb = demo.run_runbook("failover_drill", phones=[PHONE, "923225867987"], stores=["Corp AD", "Retail AD"])

    text = outputs_text(nb)
    assert "4 test code(s): 4 sent (2 after failing over), 0 without a working route." in text
    assert "FAILED OVER Corp AD for +44••••••2712" in text and "refused" in text
    assert "route for +92" in text  # the preview shows Retail AD's route for Pakistani numbers
    sends = [r for r in demo.emulator.requests if r.path.endswith(("/Messages.json", "/sms/out", "/sendmsg", "/sms/json"))]
    assert len(sends) == 4  # one message per store and number, never a second one
    assert [r.fields["to"] for r in sends if r.provider == "Bulletin.net"] == ["923225867987"]
    log = demo.admin().deliveries_frame()
    assert sorted(log["outcome"]) == ["not_sent", "not_sent", "sent", "sent", "sent", "sent"]
    assert "7079692712" not in log.to_string()


def test_failover_drill_names_stores_without_a_working_route_and_fails_for_the_scheduler(demo):
    demo.admin().modify_account("Primary", read_timeout=0.5)
    demo.emulator.clear()  # forget the seeding's requests
    demo.emulator.inject("Nexmo", timeout=True)

    with pytest.raises(PapermillExecutionError, match="no working route: Corp AD"):
        demo.run_runbook("failover_drill", phones=[PHONE], stores=["Corp AD", "Lab AD"], fail_on_unconfigured=False)

    [row] = demo.admin().deliveries_frame().itertuples()
    assert row.store_name == "Corp AD" and row.outcome == "unknown"  # a timeout: no second account tried
    assert len(demo.emulator.requests_for("Nexmo")) == 1 and not demo.emulator.requests_for("Twilio")


def test_runbooks_take_one_name_or_number_alone_as_a_scheduler_passes_it(demo):
    """papermill -p stores "Corp AD" -p phones 447079692712 -p accounts Primary: a string and an int, which
    were taken letter by letter (NotFound 'C') or could not be iterated (TypeError)."""
    demo.emulator.clear()
    nb = demo.run_runbook("failover_drill", phones=int(PHONE), stores="Corp AD", send_codes=False,
                          fail_on_failure=False)
    assert "Drilling 1 identity store(s) with 1 sample number(s)" in outputs_text(nb)
    nb = demo.run_runbook("test_all_gateways", accounts="Primary", fail_on_failure=False)
    assert "Testing 1 account(s)" in outputs_text(nb)


def test_failover_drill_preview_only_sends_nothing(demo):
    demo.emulator.clear()
    nb = demo.run_runbook("failover_drill", send_codes=False, fail_on_unconfigured=True, fail_on_failure=False)
    assert "0 test code(s)" in outputs_text(nb) and "NOT CONFIGURED Lab AD" in outputs_text(nb)
    assert demo.emulator.requests == [] and demo.admin().deliveries_frame().empty
