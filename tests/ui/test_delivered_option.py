"""Test Connection's optional Delivered stage in the dialog: bounded, with progress, stoppable."""

from __future__ import annotations

import time

import pytest

from smsgw_kit.ui import GatewaysPage

SEED_NUMBER = "447079692712"


@pytest.fixture
def gateways(sqlite_admin):
    page = GatewaysPage(sqlite_admin)
    yield page
    page.close()


def _open(gateways, name):
    dialog = gateways.open_test(gateways.table.record(name))
    dialog.phone.input.set_state({"value": SEED_NUMBER})
    return dialog, dialog.delivered


def test_ticking_wait_until_delivered_adds_the_delivered_stage(gateways, create_via_form, emu, text_of):
    emu.set_delivery("Twilio", step=0.1)
    create_via_form(gateways, "Twilio", provider="Twilio")
    dialog, option = _open(gateways, "Twilio")
    option.enabled.value = True
    option.seconds.value = 5
    dialog.ok.click()
    report = dialog.wait()
    assert report.stage("delivered").outcome == "passed"
    assert option.progress.layout.display is None and 0 < option.progress.value <= 1
    assert "delivered" in text_of(option.status)
    assert "Delivered" in text_of(dialog.result)


def test_unticked_runs_no_delivered_stage_and_nexmo_says_not_offered(gateways, create_via_form, emu, text_of):
    create_via_form(gateways, "Nexmo")
    dialog, option = _open(gateways, "Nexmo")
    dialog.ok.click()
    assert dialog.wait().stage("delivered") is None
    option.enabled.value = True
    dialog.ok.click()
    stage = dialog.wait().stage("delivered")
    assert stage.outcome == "unsupported" and "not offered by this provider" in text_of(dialog.result)


def test_stop_waiting_ends_the_stage_early(gateways, create_via_form, emu):
    emu.set_delivery("Twilio", step=60)
    create_via_form(gateways, "Twilio", provider="Twilio")
    dialog, option = _open(gateways, "Twilio")
    option.enabled.value = True
    option.seconds.value = 60
    start = time.monotonic()
    dialog.ok.click()
    time.sleep(0.8)
    option.stop.click()
    stage = dialog.wait().stage("delivered")
    assert stage.outcome == "skipped" and "cancelled" in stage.reason
    assert time.monotonic() - start < 10
    emu.set_delivery("Twilio", step=0.2)
