"""Fixtures for routing and failover: one emulator per session, faults cleared per test, account helpers."""

from __future__ import annotations

import pytest

from smsgw_kit.testing import ProviderEmulator, RefusingPort


@pytest.fixture(scope="session")
def emulator_server():
    with ProviderEmulator(timeout_hold=5) as emu:
        yield emu


@pytest.fixture
def emu(emulator_server):
    emulator_server.clear()
    for provider in ("Twilio", "Clickatell", "Bulletin.net"):
        emulator_server.set_delivery(provider, step=0.2, failure=None)
    yield emulator_server
    emulator_server.clear()


@pytest.fixture
def dead():
    with RefusingPort() as port:
        yield port


@pytest.fixture
def make_account(admin, emu):
    """make_account(name, provider="Nexmo", **changes): an account the emulator accepts, short timeouts."""
    def make(name, provider="Nexmo", **over):
        fields = {k: v for k, v in emu.account_settings(provider).items() if v is not None}
        return admin.create_account(name=name, gateway_type=provider,
                                    **{**fields, "connect_timeout": 2.0, "read_timeout": 1.0, **over})
    return make


@pytest.fixture
def sends(emu):
    """sends(): the send requests the emulator received (status queries and checks left out)."""
    paths = ("/sms/json", "/Messages.json", "/sms/out", "/http/sendmsg", "/sms.dll", "/generic/send")
    return lambda: [r for r in emu.requests if r.path.endswith(paths)]
