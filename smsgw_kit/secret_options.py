"""Gateway options declared secret (`OptionSpec(secret=True)`): encrypted at rest, masked everywhere else.

The account's plain `options` keep a secret option's shape with every value replaced by the mask
(so the names of, say, secret headers stay visible and auditable); the values themselves live
encrypted in `options_enc`. Saving the mask back means "keep the stored value", as for passwords.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import SmsgwError
from .masking import MASK


def secret_names(gateway_type: str | None) -> frozenset[str]:
    """The option names the gateway type declares secret."""
    if not gateway_type:
        return frozenset()
    from .gateways import get_gateway_type

    try:
        info = get_gateway_type(gateway_type).info
    except SmsgwError:  # an unknown type has no secret options; its own check reports it
        return frozenset()
    return frozenset(o.name for o in info.options if getattr(o, "secret", False))


def _masked(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _masked(v) for k, v in value.items()}
    return MASK if value not in (None, "") else value


def _resolve(value: Any, stored: Any) -> Any:
    """`value` with each mask replaced by the stored value in the same place (dropped if none is stored)."""
    if isinstance(value, Mapping):
        old = stored if isinstance(stored, Mapping) else {}
        out = {k: _resolve(v, old.get(k)) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None}
    return stored if value == MASK else value


def split(gateway_type: str | None, options: Mapping[str, Any] | None,
          stored: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(options to keep in clear, with secrets masked; secret options in clear, masks resolved from `stored`)."""
    names = secret_names(gateway_type)
    plain, secret = dict(options or {}), {}
    for name in names & set(plain):
        value = _resolve(plain[name], (stored or {}).get(name))
        if value not in (None, "", {}):
            secret[name] = value
            plain[name] = _masked(value)
        else:
            plain.pop(name)
    return plain, secret


def seal(keyring: Any, gateway_type: str, options: Mapping[str, Any] | None,
         stored_token: str | None) -> tuple[dict[str, Any], str | None, bool]:
    """(plain options, the encrypted secret options, whether a secret value changed) for saving."""
    stored = unseal(keyring, stored_token) if stored_token else {}
    plain, secret = split(gateway_type, options, stored)
    if not secret:
        return plain, None, bool(stored)
    if secret == stored:
        return plain, stored_token, False
    return plain, keyring.encrypt(json.dumps(secret, sort_keys=True)), True


def unseal(keyring: Any, token: str | None) -> dict[str, Any]:
    """The secret options in clear (for one call), or {}."""
    return json.loads(keyring.decrypt(token)) if token else {}
