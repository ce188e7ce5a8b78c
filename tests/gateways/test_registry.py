import importlib
import inspect
import textwrap
from importlib.metadata import entry_points

import pytest

from smsgw_kit.diagnostics import run_connection_test
from smsgw_kit.gateways import (
    ENTRY_POINT_GROUP,
    Gateway,
    GatewayInfo,
    GatewaySettings,
    ShortMessage,
    field_specs,
    gateway_types,
    get_gateway_type,
    plugin_problems,
    rediscover,
    register_gateway,
    unregister_gateway,
)
from smsgw_kit.testing import DEFAULT_CREDENTIALS, PATHS

BUILT_INS = {"Nexmo", "Twilio", "Bulletin.net", "RedOxygen", "Clickatell", "Generic HTTP"}

PLUGIN = '''
from smsgw_kit.gateways import Gateway, GatewayInfo, field_specs


class AcmeGateway(Gateway):
    info = GatewayInfo(name="Acme SMS", description="A third-party plugin", default_url="",
                       fields=field_specs(required=("gateway_url", "password"), password="API Token"))

    def deliver(self, message, phone):
        reply = self.request("POST", self.url, data={"to": phone.digits, "text": message.body},
                             headers={"Authorization": "Bearer " + self.settings.password}, sending=True)
        if reply.status_code == 200 and reply.text.startswith("OK"):
            return self.sent(message, reply.text.split("id=")[1])
        return self.rejected(message, reply.status_code, reply.text)


def not_a_gateway():
    pass
'''


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """A package `acme_sms_plugin` installed the way pip would: a module and a dist-info with entry points."""
    (tmp_path / "acme_sms_plugin.py").write_text(PLUGIN)
    dist = tmp_path / "acme_sms_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-sms-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(textwrap.dedent(f"""
        [{ENTRY_POINT_GROUP}]
        acme = acme_sms_plugin:AcmeGateway
        broken = acme_sms_plugin:DoesNotExist
        helper = acme_sms_plugin:not_a_gateway
        missing = no_such_module_anywhere:Gateway
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    rediscover()
    yield
    monkeypatch.undo()
    rediscover()


def test_built_ins_are_registered_through_the_entry_point_group():
    declared = {ep.load().info.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert declared >= BUILT_INS
    assert set(gateway_types()) >= BUILT_INS


def test_entry_point_plugin_appears_and_works_end_to_end(installed_plugin, emu):
    assert "Acme SMS" in gateway_types()
    assert get_gateway_type("acme sms").info.fields["password"].label == "API Token"
    settings = GatewaySettings(gateway_url=emu.url_for("generic", https=False), password="emu-token")
    report = run_connection_test("Acme SMS", settings, "447079692712")
    assert report.outcome == "passed", report.summary
    assert report.stage("credentials").outcome == "unsupported"
    assert emu.requests_for("generic")[-1].form["to"] == "447079692712"


def test_broken_plugins_are_reported_not_fatal(installed_plugin):
    problems = "\n".join(str(p) for p in plugin_problems())
    assert "'broken'" in problems and "'helper'" in problems and "'missing'" in problems
    assert "not a gateway class" in problems
    assert BUILT_INS | {"Acme SMS"} <= set(gateway_types())


def test_plugin_disappears_after_uninstall(installed_plugin, monkeypatch):
    monkeypatch.undo()
    rediscover()
    assert "Acme SMS" not in gateway_types()
    assert plugin_problems() == []


def test_notebook_can_register_a_class_at_run_time(emu):
    @register_gateway
    class EchoGateway(Gateway):
        info = GatewayInfo(name="Echo", description="registered in a notebook", fields=field_specs())

        def deliver(self, message, phone):
            return self.sent(message, f"echo-{phone.digits}")

    try:
        assert get_gateway_type("Echo") is EchoGateway
        result = EchoGateway(GatewaySettings()).send(ShortMessage(message="hi", recipients="18588123169"))
        assert result.message_id == "echo-18588123169"
    finally:
        unregister_gateway("Echo")
    assert "Echo" not in gateway_types()


def test_gateway_without_deliver_fails_with_reason_not_crash():
    class Lazy(Gateway):
        info = GatewayInfo(name="Lazy", description="", fields=field_specs())

    with pytest.raises(NotImplementedError, match="deliver"):
        Lazy(GatewaySettings()).send(ShortMessage(message="hi", recipients="18588123169"))
    assert Lazy(GatewaySettings()).test_credentials().outcome == "unsupported"


@pytest.mark.parametrize("name", sorted(BUILT_INS))
def test_every_built_in_has_emulator_coverage_and_docs(name):
    cls = get_gateway_type(name)
    assert name in PATHS and name in DEFAULT_CREDENTIALS
    assert inspect.getmodule(cls).__doc__
    for field in cls.info.required_fields:
        if field != "gateway_url":
            assert DEFAULT_CREDENTIALS[name].get(field), f"emulator credentials lack {field}"
    assert set(cls.info.secret_fields) == {"password", "proxy_password"}


@pytest.mark.parametrize("name", sorted(set(BUILT_INS) - {"Generic HTTP"}))
def test_every_provider_gateway_and_emulator_cite_the_page_they_follow(name):
    import re

    from smsgw_kit.testing.providers import PROVIDERS

    emulated = next(p for p in PROVIDERS if name == p.NAME)
    for module in (inspect.getmodule(get_gateway_type(name)), emulated):
        assert re.search(r"https://\S+", module.__doc__), f"{module.__name__} cites no documentation page"


def test_provider_specific_labels():
    assert get_gateway_type("Nexmo").info.label("user_name") == "API Key"
    assert get_gateway_type("Twilio").info.label("account_id") == "Account SID"
    assert get_gateway_type("Twilio").info.label("password") == "Auth Token"
    assert get_gateway_type("Bulletin.net").info.label("user_name") == "User ID"
    assert get_gateway_type("Clickatell").info.label("account_id") == "API ID"


SELF_REGISTERING = '''
from smsgw_kit.gateways import Gateway, GatewayInfo, field_specs, gateway_types, register_gateway


@register_gateway  # the pattern notebooks/custom_gateway.ipynb teaches, here at import time
class SelfRegisteringGateway(Gateway):
    info = GatewayInfo(name="{name}", description="registers itself on import", fields=field_specs())

    def deliver(self, message, phone):
        return self.sent(message, "self-" + phone.digits)


SEEN_WHILE_IMPORTING = sorted(gateway_types())  # a plugin may also look at the registry while importing
'''


def _install(tmp_path, monkeypatch, dist: str, modules: dict[str, str], entry_points_txt: str) -> None:
    for module, source in modules.items():
        (tmp_path / f"{module}.py").write_text(source)
    info = tmp_path / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points_txt))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()


def _within(seconds: float, call):
    """Run `call` in a thread; a hang fails the test instead of hanging the suite."""
    import threading

    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("result", call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{call} did not return within {seconds} s (deadlock in the registry?)"
    return box["result"]


@pytest.fixture
def fresh_registry():
    rediscover()
    yield
    for name in ("Self Registering", "Imported Plugin"):
        unregister_gateway(name)
    rediscover()


def test_plugin_registering_itself_at_import_through_an_entry_point_does_not_hang(
        tmp_path, monkeypatch, fresh_registry):
    _install(tmp_path, monkeypatch, "selfreg_sms", {"selfreg_sms": SELF_REGISTERING.format(name="Self Registering")},
             f"[{ENTRY_POINT_GROUP}]\nselfreg = selfreg_sms:SelfRegisteringGateway\n")
    rediscover()
    types = _within(20, gateway_types)
    assert "Self Registering" in types
    assert types["Self Registering"].__module__ == "selfreg_sms"
    assert not [p for p in plugin_problems() if "selfreg" in str(p)]


def test_plugin_module_imported_with_importlib_registers_itself(tmp_path, monkeypatch, fresh_registry):
    (tmp_path / "imported_sms.py").write_text(SELF_REGISTERING.format(name="Imported Plugin"))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    rediscover()  # the next registry read discovers again, while the module below is importing
    module = _within(20, lambda: importlib.import_module("imported_sms"))
    assert set(module.SEEN_WHILE_IMPORTING) >= BUILT_INS
    assert get_gateway_type("Imported Plugin") is module.SelfRegisteringGateway


def test_two_plugins_with_one_name_are_reported_naming_both(tmp_path, monkeypatch, fresh_registry):
    twin = PLUGIN.replace('"A third-party plugin"', '"the impostor"')
    _install(tmp_path, monkeypatch, "twin_sms", {"acme_one": PLUGIN, "acme_two": twin},
             f"[{ENTRY_POINT_GROUP}]\nfirst = acme_one:AcmeGateway\nsecond = acme_two:AcmeGateway\n")
    rediscover()
    assert gateway_types()["Acme SMS"].__module__ == "acme_one"
    clash = [str(p) for p in plugin_problems() if "'Acme SMS'" in str(p)]
    assert len(clash) == 1, plugin_problems()
    assert "acme_one:AcmeGateway" in clash[0] and "acme_two:AcmeGateway" in clash[0]
