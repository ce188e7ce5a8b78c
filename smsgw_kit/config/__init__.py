"""Configuration as code: export accounts, stores, links, the default, fallbacks and routes as a document; plan; apply.

    document = export(session)                  # secrets as env:/file: references, never in clear
    plan = make_plan(session, keyring, document) # what would change; nothing written
    apply_plan(session, ctx, plan)               # all of it in the caller's one transaction, or nothing

`GatewayAdmin.export_config / plan / plan_from_frame / apply` open the sessions; this package owns
the document's shape (document.py), the diff (plan.py), the frame round trip (frame.py), applying
(apply.py), the hook other capabilities add their sections through (sections.py), and the
fallbacks and routes sections of issue 12 (routing_sections.py).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlmodel import Session

from .. import collector
from ..secrets import Keyring, NoKeys
from .apply import apply_plan
from .document import (
    FORMAT_VERSION,
    account_fields,
    check_document,
    load,
    parse,
    to_json,
    to_yaml,
)
from .export import export, secret_references
from .frame import document_from_frame
from .plan import Change, Plan, make_plan
from .routing_sections import FALLBACKS, ROUTES
from .sections import Section, register_section

# Registered here, where the package is first imported, so every use of config sees them.
register_section(FALLBACKS)
register_section(ROUTES)


def plan_document(session: Session, keyring: Keyring | NoKeys, document: Any) -> Plan:
    """A plan from a document given as a dict, a .yaml/.yml/.json path, or YAML/JSON text."""
    with collector.paused():  # a 10,000-account document: many objects, no cycles to find
        raw, base = load(document)
        return make_plan(session, keyring, check_document(raw, base=base))


def plan_frame(session: Session, keyring: Keyring | NoKeys, frame: pd.DataFrame, *, delete_missing: bool = False) -> Plan:
    """A plan from an edited accounts frame; rows left out are deleted only with `delete_missing`."""
    with collector.paused():
        return make_plan(session, keyring, document_from_frame(session, frame), prune=delete_missing)


__all__ = [
    "FORMAT_VERSION", "Change", "Plan", "Section", "account_fields", "apply_plan", "check_document",
    "document_from_frame", "export", "load", "make_plan", "parse", "plan_document", "plan_frame",
    "register_section", "secret_references", "to_json", "to_yaml",
]
