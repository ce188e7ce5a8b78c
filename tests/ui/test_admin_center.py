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


def test_building_the_admin_center_again_stops_the_earlier_ones_poller(sqlite_admin, tmp_path):
    import asyncio

    from smsgw_kit import GatewayAdmin
    from smsgw_kit.ui import kernel

    loop = asyncio.new_event_loop()
    real = kernel._kernel_loop
    kernel._kernel_loop = lambda: loop  # what a kernel's running loop is when the cell runs
    try:
        first = AdminCenter(sqlite_admin, poll_seconds=60)
        other = AdminCenter(GatewayAdmin(f"sqlite:///{tmp_path / 'other.db'}"), poll_seconds=60)
        assert first.polling and other.polling
        again = AdminCenter(sqlite_admin, poll_seconds=60)  # the same cell run again
        assert again.polling and not first.polling, "one poller per database"
        assert other.polling, "another database's Admin Center goes on polling"
        first.close()
        assert again.polling
        for center in (again, other):
            center.close()
            assert not center.polling
    finally:
        kernel._kernel_loop = real
        loop.close()
