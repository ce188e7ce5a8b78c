"""Test Connection through the service: saved accounts, unsaved form values, many at once, all stored."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from smsgw_kit import InvalidInput
from smsgw_kit.testing import ProviderEmulator


@pytest.fixture(scope="module")
def emu():
    with ProviderEmulator() as emulator:
        yield emulator


def _create(admin, emu, name, provider="Nexmo", **over):
    fields = {k: v for k, v in emu.account_settings(provider).items() if v is not None}
    return admin.create_account(name=name, gateway_type=provider, **{**fields, **over})


def test_saved_account_test_is_stored_and_shown_as_last_result(admin, emu):
    _create(admin, emu, "Primary")
    report = admin.test_connection("primary", "447079692712")
    assert report.outcome == "passed", report.summary
    assert [s.name for s in report.stages] == ["proxy", "connection", "credentials", "message"]
    history = admin.test_history_frame()
    assert history.iloc[0]["account_name"] == "Primary" and history.iloc[0]["outcome"] == "passed"
    assert history.iloc[0]["phone"] == "+447079692712"
    assert [s["name"] for s in history.iloc[0]["stages"]] == ["proxy", "connection", "credentials", "message"]
    row = admin.accounts_frame().set_index("name").loc["Primary"]
    assert row["last_test_outcome"] == "passed" and row["last_test_at"] is not None


def test_failed_credentials_are_reported_in_the_providers_words(admin, emu):
    _create(admin, emu, "Bad", password="wrong-secret")
    report = admin.test_connection("Bad", "18588123169")
    assert report.outcome == "failed"
    assert "Nexmo" in report.summary and "wrong-secret" not in report.summary
    assert admin.accounts_frame().iloc[0]["last_test_outcome"] == "failed"


def test_unsaved_settings_and_edit_form_keeping_stored_password(admin, emu):
    fields = {k: v for k, v in emu.account_settings("RedOxygen").items() if v is not None}
    report = admin.test_settings(phone="923225867987", name="Draft", **{**fields, "gateway_type": "RedOxygen"})
    assert report.outcome == "passed", report.summary
    _create(admin, emu, "Saved", "RedOxygen")
    no_password = {k: v for k, v in fields.items() if k != "password"}
    report = admin.test_settings(gateway_type="RedOxygen", phone="923225867987", account="Saved", **no_password)
    assert report.outcome == "passed", report.summary
    history = admin.test_history_frame()
    assert history["gateway_account_id"].isna().all()  # form tests never count as the account's result
    assert set(history["account_name"]) == {"Draft", "Saved"}


def test_invalid_phone_is_refused_before_anything_is_sent_or_stored(admin, emu):
    _create(admin, emu, "Primary")
    emu.clear()
    with pytest.raises(InvalidInput) as err:
        admin.test_connection("Primary", "12")
    assert err.value.field == "phone"
    assert admin.test_history_frame().empty and not emu.requests


def test_many_accounts_concurrently_with_progress(admin, emu):
    for i in range(6):
        _create(admin, emu, f"A{i}", **({"password": "wrong"} if i == 3 else {}))
    seen = []
    reports = admin.test_accounts(phone=None, concurrency=3, on_progress=lambda done, total, key, r: seen.append((done, total)))
    assert sorted(seen) == [(n, 6) for n in range(1, 7)]
    assert {k: r.outcome for k, r in reports.items()} == {f"A{i}": ("failed" if i == 3 else "passed") for i in range(6)}
    assert len(admin.test_history_frame()) == 6


def test_saved_account_with_changed_values_before_saving(admin, emu):
    _create(admin, emu, "Saved", password="old-wrong-secret")
    good = emu.account_settings("Nexmo")["password"]
    assert admin.test_connection("Saved").outcome == "failed"
    report = admin.test_settings(account="Saved", password=good)  # only the change is given
    assert report.outcome == "passed", report.summary
    assert admin.get_account("Saved").version == 1  # nothing saved
    with pytest.raises(InvalidInput):
        admin.test_settings(phone="447079692712")  # no type and no account


class _OddNexmo(BaseHTTPRequestHandler):
    """A Nexmo look-alike on loopback whose send reply holds a 300-character message id with odd characters."""

    MESSAGE_ID = "m" * 300 + "\u0000\ud800"

    def _json(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._json({"value": 10.5, "autoReload": False})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(0.3)  # so the run's start and its save are clearly apart
        self._json({"message-count": "1", "messages": [{"status": "0", "message-id": self.MESSAGE_ID}]})

    def log_message(self, *args):
        pass


@pytest.fixture
def odd_nexmo():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OddNexmo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms/json"
    server.shutdown()


def test_a_run_that_reached_the_provider_is_recorded_whatever_the_reply_holds(admin, odd_nexmo):
    report = admin.test_settings(gateway_type="Nexmo", gateway_url=odd_nexmo, user_name="k", password="s",
                                 sender_id="Corp", phone="447079692712", name="Odd")
    assert report.outcome == "passed" and len(report.message_id) == 302
    row = admin.test_history_frame().iloc[0]
    assert row["account_name"] == "Odd" and row["outcome"] == "passed"
    assert len(row["message_id"]) == 256 and row["message_id"].endswith("…[cut]")
    assert row["message_id"].startswith("m" * 200)


def test_a_run_is_kept_at_its_own_start_time_not_when_it_was_saved(admin, odd_nexmo):
    before = datetime.now(UTC)
    report = admin.test_settings(gateway_type="Nexmo", gateway_url=odd_nexmo, user_name="k", password="s",
                                 sender_id="Corp", phone="447079692712")
    started = admin.test_history_frame().iloc[0]["started_at"].to_pydatetime()
    assert started == datetime.fromisoformat(report.started_at)
    assert before - timedelta(milliseconds=1) <= started < before + timedelta(milliseconds=250)


def test_a_failing_progress_callback_loses_no_test(admin, emu, caplog):
    _create(admin, emu, "A")
    reports = admin.test_accounts(on_progress=len)  # len() refuses four arguments
    assert reports["A"].outcome == "passed"
    assert admin.test_history_frame()["account_name"].tolist() == ["A"]
    assert "on_progress callback failed" in caplog.text
