"""Which gateway types exist: entry points in one group, plus classes registered at run time."""

from __future__ import annotations

import threading
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from ..errors import PluginError, UnknownGatewayType
from .base import GatewayInfo

if TYPE_CHECKING:
    from .gateway import Gateway

ENTRY_POINT_GROUP = "smsgw_kit.gateways"

# The lock guards only these dictionaries, never an import: a plugin module may call
# register_gateway (or gateway_types) while it is being imported during discovery.
_lock = threading.Lock()
_discovered: dict[str, type[Gateway]] | None = None
_generation = 0  # bumped by rediscover(), so a discovery that started earlier is not kept
_runtime: dict[str, type[Gateway]] = {}
_problems: list[PluginError] = []
_local = threading.local()


def _check(cls: object, origin: str) -> type[Gateway]:
    info = getattr(cls, "info", None)
    if not isinstance(cls, type) or not isinstance(info, GatewayInfo):
        raise PluginError(f"{origin}: {cls!r} is not a gateway class with an `info: GatewayInfo`.")
    return cls  # a class carrying GatewayInfo is what the registry holds


def _origin(ep: EntryPoint) -> str:
    return f"entry point {ep.name!r} ({ep.value})"


def _discover() -> tuple[dict[str, type[Gateway]], list[PluginError]]:
    found: dict[str, type[Gateway]] = {}
    origins: dict[str, str] = {}
    problems: list[PluginError] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = _check(ep.load(), _origin(ep))
        except PluginError as exc:
            problems.append(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal
            problems.append(PluginError(f"{_origin(ep)} failed to load: {exc!r}"))
            continue
        name = cls.info.name
        if name in found and found[name] is not cls:
            problems.append(PluginError(
                f"{_origin(ep)} declares the gateway type {name!r}, which {origins[name]} already declares; "
                f"{origins[name]} is used. Uninstall one of them or rename its gateway type."))
            continue
        found.setdefault(name, cls)
        origins.setdefault(name, _origin(ep))
    return found, problems


def _all() -> dict[str, type[Gateway]]:
    with _lock:
        discovered, generation = _discovered, _generation
    if discovered is None:
        if getattr(_local, "discovering", False):  # a plugin asks while it is being imported
            with _lock:
                return dict(_runtime)
        discovered = _run_discovery(generation)
    with _lock:
        return {**discovered, **_runtime}


def _run_discovery(generation: int) -> dict[str, type[Gateway]]:
    global _discovered
    _local.discovering = True
    try:
        found, problems = _discover()
    finally:
        _local.discovering = False
    with _lock:
        if _generation == generation and _discovered is None:
            _discovered = found
            _problems[:] = problems
        return _discovered if _discovered is not None else found


def gateway_types() -> dict[str, type[Gateway]]:
    """Every registered gateway type by its display name, built-ins and plugins alike, sorted."""
    return dict(sorted(_all().items(), key=lambda kv: kv[0].casefold()))


def get_gateway_type(name: str) -> type[Gateway]:
    """The gateway class registered under `name` (case-insensitive); suggests the near miss."""
    types = _all()
    if name in types:
        return types[name]
    folded = {k.casefold(): v for k, v in types.items()}
    key = (name or "").strip().casefold() if isinstance(name, str) else ""
    if key in folded:
        return folded[key]
    raise UnknownGatewayType(str(name)[:80], types)


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
    """The plugins that failed to load (or clash with another's name), each with the reason."""
    _all()
    with _lock:
        return list(_problems)


def rediscover() -> None:
    """Forget what was discovered so newly installed entry points are found (no kernel restart)."""
    global _discovered, _generation
    with _lock:
        _discovered = None
        _generation += 1
        _problems.clear()
