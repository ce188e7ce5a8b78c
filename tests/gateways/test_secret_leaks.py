"""Secrets are masked in every encoding a request carries them, and no log record (ours, httpx's, httpcore's) holds one."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote, quote_plus

import pytest

from smsgw_kit.gateways import get_gateway_type
from smsgw_kit.masking import MASK, mask
from smsgw_kit.testing.credentials import generic_options

SECRET = 'S3cr3t PROBE/2+x"y'


@pytest.mark.parametrize("form", [
    SECRET,
    quote(SECRET, safe=""),                      # %20
    quote_plus(SECRET, safe=""),                 # +
    quote(SECRET, safe="/"),
    json.dumps({"password": SECRET}),            # JSON-escaped quote
    "Authorization: Basic " + base64.b64encode(f"user:{SECRET}".encode()).decode(),
    base64.b64encode(f"prefix-{SECRET}-suffix".encode()).decode(),
])
def test_every_encoding_of_a_secret_is_masked(form):
    masked = mask(f"reply: {form} (end)", [SECRET])
    assert MASK in masked
    for encoded in (SECRET, quote(SECRET, safe=""), quote_plus(SECRET, safe=""), json.dumps(SECRET)[1:-1]):
        assert encoded not in masked
    assert "S3cr3t" not in masked and "UzNjcjN0" not in masked  # nor its base64 ('S3cr3t' = UzNjcjN0)


def test_a_short_secret_is_masked_only_as_a_whole_word():
    assert mask("proxy x refused", ["x"]) == f"proxy {MASK} refused"


def _caplog_all(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "smsgw_kit"):
        caplog.set_level(logging.DEBUG, logger=name)


def test_httpx_request_log_of_the_nexmo_check_holds_no_secret(emu, check, caplog):
    _caplog_all(caplog)
    secret = emu.account_settings("Nexmo")["password"]
    result = check("Nexmo")
    assert result.outcome == "passed"
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    # the record is there, masked (other tests' secrets, remembered process-wide, may mask more of it)
    assert any("get-balance" in line and "=" + MASK in line for line in lines), lines
    assert secret not in caplog.text and quote(secret) not in caplog.text


def test_a_404_echoing_a_url_encoded_password_leaks_nowhere(emu, caplog, sqlite_admin):
    """The issue's case: Generic HTTP with {password} in the URL path; the 404 echoes it URL-encoded."""
    _caplog_all(caplog)
    emu.add_credentials("Generic HTTP", password=SECRET)
    sqlite_admin.create_account(
        name="Echo", gateway_type="Generic HTTP", password=SECRET,
        gateway_url=f"{emu.base_url}/generic/nowhere/{{password}}/send",
        options={**generic_options(emu.base_url), "credentials_url": ""},
    )
    report = sqlite_admin.test_connection("Echo", "447079692712")
    assert report.outcome == "failed" and "404" in report.summary
    history = sqlite_admin.test_history_frame()
    texts = [repr(report), str(report.to_dict()), history.to_csv(), repr(history.to_dict()), caplog.text]
    assert any("nowhere" in t for t in texts)  # the echo is there...
    for text in texts:  # ...without the password in any form
        for form in (SECRET, quote(SECRET, safe=""), quote_plus(SECRET), "S3cr3t"):
            assert form not in text


def test_secret_options_are_encrypted_masked_and_work(emu, sqlite_admin, caplog):
    _caplog_all(caplog)
    token = "literal-token-7Hq2"
    emu.add_credentials("Generic HTTP", password=token)
    options = {**generic_options(emu.base_url), "headers": {}, "secret_headers": {"Authorization": f"Bearer {token}"}}
    account = sqlite_admin.create_account(name="Tok", gateway_type="Generic HTTP",
                                          gateway_url=emu.url_for("Generic HTTP", https=False), options=options)
    assert account.options["secret_headers"] == {"Authorization": MASK}
    assert sqlite_admin.test_connection("Tok", "447079692712").outcome == "passed"  # the real token was sent
    sent = [r for r in emu.requests_for("Generic HTTP") if r.path == "/generic/send"][-1]
    assert sent.header("Authorization") == f"Bearer {token}"

    # saving the masked value back keeps the token; a new value replaces it and is audited as changed
    sqlite_admin.modify_account("Tok", options={**options, "secret_headers": account.options["secret_headers"],
                                                "success_pattern": "^OK id"})
    assert sqlite_admin.test_connection("Tok").outcome == "passed"
    sqlite_admin.modify_account("Tok", options={**options, "secret_headers": {"Authorization": "Bearer other-9"}})
    change = sqlite_admin.audit_frame(action="account.modify").iloc[0]
    assert change["after"]["secret_options"] == "changed"

    with sqlite_admin.db.engine.connect() as conn:
        dump = repr([conn.exec_driver_sql(f"SELECT * FROM {t}").all()
                     for t in ("gateway_account", "audit_event", "connection_test_run")])
    settings = get_gateway_type("Generic HTTP")(emu.gateway_settings("Generic HTTP")).settings
    texts = [dump, repr(sqlite_admin.get_account("Tok")), sqlite_admin.audit_frame().to_csv(),
             sqlite_admin.accounts_frame().to_csv(), caplog.text, repr(settings)]
    for text in texts:
        assert token not in text and "other-9" not in text


def test_an_admin_repr_and_settings_repr_show_no_secret_option(emu, sqlite_admin):
    from sqlmodel import Session, select

    from smsgw_kit.accounts import settings_of
    from smsgw_kit.models import GatewayAccount

    options = {**generic_options(emu.base_url), "secret_params": {"api_token": "Param-secret-55"}}
    sqlite_admin.create_account(name="P", gateway_type="Generic HTTP", gateway_url=emu.url_for("Generic HTTP", https=False),
                                password="emu-token", options=options)
    with Session(sqlite_admin.db.engine) as s:
        settings = settings_of(s.exec(select(GatewayAccount)).one(), sqlite_admin.keyring)
    assert settings.secret_options == {"secret_params": {"api_token": "Param-secret-55"}}
    assert "Param-secret-55" not in repr(settings) + repr(sqlite_admin.get_account("P"))
