"""Which gateway types exist: entry points in one group, plus classes registered at run time."""

from __future__ import annotations

import threading
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from ..errors import PluginError, UnknownGatewayType
from .base import GatewayInfo

if TYPE_CHECKING:
    from .gateway import Gateway

ENTRY_POINT_GROUP = "smsgw_kit.gateways"

_lock = threading.Lock()
_discovered: dict[str, type[Gateway]] | None = None
_runtime: dict[str, type[Gateway]] = {}
_problems: list[PluginError] = []


def _check(cls: Any, origin: str) -> type[Gateway]:
    info = getattr(cls, "info", None)
    if not isinstance(cls, type) or not isinstance(info, GatewayInfo):
        raise PluginError(f"{origin}: {cls!r} is not a gateway class with an `info: GatewayInfo`.")
    return cls


def _discover() -> dict[str, type[Gateway]]:
    found: dict[str, type[Gateway]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = _check(ep.load(), f"entry point {ep.name!r} ({ep.value})")
        except PluginError as exc:
            _problems.append(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal
            _problems.append(PluginError(f"entry point {ep.name!r} ({ep.value}) failed to load: {exc!r}"))
            continue
        found.setdefault(cls.info.name, cls)
    return found


def _all() -> dict[str, type[Gateway]]:
    global _discovered
    with _lock:
        if _discovered is None:
            _discovered = _discover()
        return {**_discovered, **_runtime}


def gateway_types() -> dict[str, type[Gateway]]:
    """Every registered gateway type by its display name, built-ins and plugins alike, sorted."""
    return dict(sorted(_all().items(), key=lambda kv: kv[0].casefold()))


def get_gateway_type(name: str) -> type[Gateway]:
    """The gateway class registered under `name` (case-insensitive); suggests the near miss."""
    types = _all()
    if name in types:
        return types[name]
    folded = {k.casefold(): v for k, v in types.items()}
    key = (name or "").strip().casefold()
    if key in folded:
        return folded[key]
    raise UnknownGatewayType(name, types)


def register_gateway(cls: type[Gateway]) -> type[Gateway]:
    """Register a gateway class at run time (usable as a decorator); replaces one of the same name."""
    _check(cls, "register_gateway")
    with _lock:
        _runtime[cls.info.name] = cls
    return cls


def unregister_gateway(name: str) -> None:
    """Remove a gateway type registered at run time."""
    with _lock:
        _runtime.pop(name, None)


def plugin_problems() -> list[PluginError]:
    """The plugins that failed to load, each with the reason."""
    _all()
    return list(_problems)


def rediscover() -> None:
    """Forget what was discovered so newly installed entry points are found (no kernel restart)."""
    global _discovered
    with _lock:
        _discovered = None
        _problems.clear()
