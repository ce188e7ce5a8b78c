"""Fixtures for the widget tests: the provider emulator and helpers that fill the account form."""

from __future__ import annotations

import pytest
from ipywidgets.widgets.widget import _instances

from smsgw_kit.testing import ProviderEmulator
from smsgw_kit.ui import AccountForm, GatewaysPage


@pytest.fixture(scope="session")
def emulator_server():
    with ProviderEmulator() as emu:
        yield emu


@pytest.fixture
def emu(emulator_server):
    """The session's emulator with no recorded requests and no faults."""
    emulator_server.clear()
    yield emulator_server
    emulator_server.clear()


def _fill(form: AccountForm, name: str, gateway_type: str, **fields) -> AccountForm:
    """Type values into the form as an operator would (None leaves a field alone)."""
    form.fields["name"].input.set_state({"value": name})
    form.gateway_type.input.value = gateway_type
    for key, value in fields.items():
        if value is not None and key in form.fields:
            form.fields[key].input.set_state({"value": str(value)})
    return form


@pytest.fixture
def create_via_form(emu):
    """create_via_form(page, name, provider="Nexmo", default=False, **changes) → the saved account."""
    def create(page: GatewaysPage, name: str, provider: str = "Nexmo", default: bool = False, **changes):
        page.create_button.click()
        form = _fill(page.form, name, provider, **{**emu.account_settings(provider), **changes})
        form.is_default.value = default
        form.submit_button.click()
        assert page.form is None, _errors(form)
        return page.admin.get_account(name)
    return create


def _errors(form: AccountForm) -> dict[str, str]:
    errors = {n: f.error.value for n, f in form.fields.items() if f.error.value}
    if form.message.value:
        errors["form"] = form.message.value
    return errors


def _states_containing(secret: str) -> list[str]:
    """Every live widget whose synced state holds `secret` (what a saved notebook would carry)."""
    found = []
    for widget in list(_instances.values()):
        if widget.comm is None:  # closed: not part of a saved notebook's state
            continue
        state = widget.get_state()
        if any(isinstance(v, str) and secret in v for v in state.values()):
            found.append(f"{type(widget).__name__}: {state.get('description', '')}")
    return found


@pytest.fixture
def fill():
    """fill(form, name, gateway_type, **fields): type values into the account form."""
    return _fill


@pytest.fixture
def form_errors():
    """form_errors(form) → {field: error html} for every field showing an error (and 'form')."""
    return _errors


@pytest.fixture
def states_containing():
    """states_containing(secret) → the live widgets whose state holds `secret`."""
    return _states_containing


def _text_of(widget) -> str:
    """What an HTML widget reads as on screen: tags dropped, entities decoded."""
    import html
    import re

    inline = re.sub(r"</?(b|i|em|strong|span)\b[^>]*>", "", widget.value)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


@pytest.fixture
def text_of():
    return _text_of
