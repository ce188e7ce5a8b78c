import signal
import subprocess
import sys

import httpx
import pytest

from smsgw_kit.testing import ProviderEmulator


def test_standalone_emulator_prints_urls_and_serves_until_interrupted(unused_port):
    process = subprocess.Popen([sys.executable, "-m", "smsgw_kit.testing", "--port", str(unused_port)],
                               stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert first.strip() == f"smsgw_kit provider emulator on http://127.0.0.1:{unused_port}"
        nexmo = process.stdout.readline()
        assert nexmo.startswith(("Bulletin.net:", "Nexmo:"))
        assert httpx.get(f"http://127.0.0.1:{unused_port}/").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_records_what_it_received(emu):
    httpx.post(emu.url_for("nexmo", https=False), data={"api_key": "k"}, headers={"X-Test": "1"})
    (request,) = emu.requests
    assert (request.provider, request.method, request.path, request.scheme) == ("Nexmo", "POST", "/sms/json", "http")
    assert request.form == {"api_key": "k"} and request.header("x-test") == "1"
    assert "api_key" not in repr(request)
    emu.clear()
    assert emu.requests == []


def test_unknown_paths_are_404_and_unknown_providers_refused(emu):
    assert httpx.get(emu.base_url + "/nowhere").status_code == 404
    with pytest.raises(KeyError, match="does not speak"):
        emu.url_for("Sinch")


def test_injected_status_counts_down(emu):
    emu.inject("Nexmo", status=503, count=2)
    url = emu.base_url + "/account/get-balance"
    assert [httpx.get(url).status_code for _ in range(3)] == [503, 503, 401]


def test_unknown_error_code_is_refused(emu):
    with pytest.raises(ValueError, match="no documented error '99'"):
        emu.inject("Nexmo", error="99")


def test_account_settings_are_plain_account_fields():
    with ProviderEmulator() as emu:
        fields = emu.account_settings("Nexmo")
        assert set(fields) == {"gateway_url", "account_id", "user_name", "password", "sender_id"}
        assert fields["gateway_url"] == emu.base_url + "/sms/json"
    assert emu.base_url is None
