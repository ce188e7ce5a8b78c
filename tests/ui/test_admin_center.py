"""The Admin Center: navigation between pages, rendering, and releasing widgets on close."""

from __future__ import annotations

from ipywidgets.widgets.widget import _instances

from smsgw_kit.ui import (
    AdminCenter,
    AuditPage,
    GatewaysPage,
    HistoryPage,
    IdentityStoresPage,
)


def test_left_navigation_opens_each_page(sqlite_admin):
    center = AdminCenter(sqlite_admin)
    assert isinstance(center.page, GatewaysPage) and "smsgw-admin" in center.root._dom_classes
    # The seed: "click SMS Gateway at the bottom of the left navigation pane".
    assert list(center.nav)[-1] == "SMS Gateway" and set(center.nav) == {
        "SMS Gateway", "Identity Stores", "History", "Audit"}
    for label, kind in [("Identity Stores", IdentityStoresPage), ("History", HistoryPage), ("Audit", AuditPage),
                        ("SMS Gateway", GatewaysPage)]:
        old = center.page
        center.nav[label].click()
        assert isinstance(center.page, kind) and center.content.children == (center.page.root,)
        assert old.root.comm is None, "the page left behind is closed"
        assert [n for n, item in center.nav.items() if "smsgw-nav-active" in item._dom_classes] == [label]
    center.close()


def test_renders_as_a_widget_view(sqlite_admin):
    center = AdminCenter(sqlite_admin)
    bundle = center._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == center.root.model_id
    center.close()


def test_close_releases_every_widget_and_observer(sqlite_admin):
    before = set(_instances)
    center = AdminCenter(sqlite_admin)
    form = center.page.open_create()
    form.gateway_type.input.value = "Nexmo"
    center.close()
    assert set(_instances) - before == set()
    assert form._type_changed not in form.gateway_type.input._trait_notifiers["value"]["change"]
