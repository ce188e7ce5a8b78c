"""Writing the database's accounts, identity stores, links, default, fallbacks and routes as a document (no secret in clear)."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, select

from ..errors import InvalidInput
from ..models import GatewayAccount, IdentityStore
from .document import ENV_NAME, FORMAT_VERSION, account_fields
from .sections import SECTION_HOOKS

SECRET_MODES = ("env", "omit")


def env_name(prefix: str, account: str, field: str, taken: set[str]) -> str:
    """An environment variable name for one account's secret, e.g. SMSGW_PRIMARY_PASSWORD."""
    slug = re.sub(r"[^A-Z0-9]+", "_", account.upper()).strip("_") or "ACCOUNT"
    name = f"{prefix}{slug}_{field.upper()}"
    if not ENV_NAME.fullmatch(name):  # no prefix and a name that starts with a digit ("1st Nexmo")
        name = f"_{name}"
    candidate, n = name, 2
    while candidate in taken:  # "Corp AD" and "Corp-AD" must not share a variable
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _account(row: GatewayAccount, secrets: str, prefix: str, taken: set[str]) -> dict[str, Any]:
    fields = account_fields()
    out: dict[str, Any] = {}
    for name in fields.names:
        if name in fields.secret_columns:
            if secrets == "env":
                stored = getattr(row, fields.secret_columns[name])
                out[name] = f"env:{env_name(prefix, row.name, name, taken)}" if stored else None
        else:
            value = getattr(row, name)
            out[name] = dict(value) if isinstance(value, dict) else value
    return out


def export(session: Session, *, secrets: str = "env", env_prefix: str = "SMSGW_") -> dict[str, Any]:
    """The document: accounts (secrets as `env:` references, or left out), stores with links, the default."""
    if secrets not in SECRET_MODES:
        raise InvalidInput("secrets", f"{secrets!r} is not a way to write secrets", allowed=", ".join(SECRET_MODES))
    if not isinstance(env_prefix, str) or (env_prefix and not ENV_NAME.fullmatch(env_prefix)):
        raise InvalidInput("env_prefix", f"{env_prefix!r} cannot begin an environment variable's name (plan would "
                           "refuse the references)", allowed="letters, digits and _, not first a digit, e.g. SMSGW_ "
                           "or PROD_; or empty")
    rows = session.exec(select(GatewayAccount).order_by(GatewayAccount.name_key)).all()
    names = {row.id: row.name for row in rows}
    taken: set[str] = set()
    stores = session.exec(select(IdentityStore).order_by(IdentityStore.name_key)).all()
    doc: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "default": next((row.name for row in rows if row.is_default), None),
        "accounts": [_account(row, secrets, env_prefix, taken) for row in rows],
        "identity_stores": [
            {"name": s.name, "store_type": s.store_type, "sms_text": s.sms_text,
             "gateway_account": names.get(s.gateway_account_id)}
            for s in stores
        ],
    }
    for key, section in SECTION_HOOKS.items():
        value = section.export(session)
        if value is not None:
            doc[key] = value
    return doc


def secret_references(document: dict[str, Any]) -> dict[str, str]:
    """Each `env:` reference of a document mapped to the account field it stands for (for the operator)."""
    out = {}
    for i, account in enumerate(document.get("accounts") or []):
        for name in account_fields().secrets:
            ref = account.get(name)
            if isinstance(ref, str) and ref.startswith("env:"):
                out[ref[4:]] = f"accounts[{i}].{name} ({account.get('name')})"
    return out
