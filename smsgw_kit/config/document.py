"""The configuration document: its shape, checking it entry by entry (errors carry the entry's path),
secret references, and reading/writing it as YAML or JSON."""

from __future__ import annotations

import json
import os
import re
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .. import accounts
from ..errors import InvalidInput
from ..fields import CLEARABLE, FIELDS, SECRETS

FORMAT_VERSION = 1
SECTIONS = ("version", "default", "accounts", "identity_stores")
STORE_FIELDS = ("name", "store_type", "sms_text", "gateway_account")
REF_PREFIXES = ("env:", "file:")
MAX_DEPTH = 32  # levels a document may nest (a few are used; a parser would recurse out of stack on thousands)
MAX_VALUES = 5_000_000  # values a document may hold, counted with its YAML aliases expanded
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # what a shell can set


@dataclass(frozen=True)
class AccountFields:
    """What a document may say about an account: field names in order, secret ones, their types."""

    names: tuple[str, ...]
    secret_columns: dict[str, str]  # secret field -> encrypted column
    types: dict[str, tuple[type, ...]]
    nullable: frozenset[str]

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self.secret_columns)

    @property
    def plain(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if n not in self.secret_columns)


@cache
def account_fields() -> AccountFields:
    """What a document may say about an account, read from the one field table (`fields.FIELDS`)."""
    kinds = {name: _python_types(spec.type) for name, spec in FIELDS.items()}
    nullable = set(CLEARABLE) | {"gateway_url"}  # an empty URL means "the type's own URL"
    return AccountFields(names=tuple(FIELDS), secret_columns=dict(SECRETS), types=kinds, nullable=frozenset(nullable))


def _python_types(annotation: Any) -> tuple[type, ...]:
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    found: list[type] = []
    for arg in args:
        base = typing.get_origin(arg) or arg
        if base is type(None):
            continue
        found.extend((int, float) if base is float else (base,))
    return tuple(found)


# -- Checked entries ------------------------------------------------------------------------------


@dataclass
class AccountEntry:
    """One account as the document (or an edited frame) states it; `given` holds only the fields stated."""

    path: str
    given: dict[str, Any]
    secrets: dict[str, str | None] = field(default_factory=dict, repr=False)  # resolved; None = clear
    sources: dict[str, str] = field(default_factory=dict)  # each secret's reference as written (env:X, file:P)
    id: int | None = None
    version: int | None = None  # the version the caller read (frames carry it)

    def __repr__(self) -> str:
        return f"AccountEntry({self.path!r}, {self.given.get('name')!r}, secrets={sorted(self.secrets)})"


@dataclass
class StoreEntry:
    path: str
    given: dict[str, Any]


@dataclass
class Document:
    """A checked document: which sections it manages (absent sections are left as they are)."""

    accounts: list[AccountEntry] | None = None
    identity_stores: list[StoreEntry] | None = None
    default: str | None = None
    manages_default: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # sections of extensions (see SECTION_HOOKS)


def _at(path: str, exc: InvalidInput) -> InvalidInput:
    """The same complaint, with the document path of the offending entry in front of the field."""
    where = f"{path}.{exc.field}" if not exc.field.startswith(path) else exc.field
    return InvalidInput(where, exc.problem, allowed=exc.allowed, label=exc.label)


def resolve_secret(value: Any, path: str, *, base: Path | None = None) -> str | None:
    """The secret a reference points to (`env:NAME`, `file:PATH`); None means clear it."""
    if value is None:
        return None
    refs = "env:NAME or file:PATH, or leave the field out to keep the stored secret"
    if not isinstance(value, str) or not value.startswith(REF_PREFIXES):
        problem = "is a secret in clear" if isinstance(value, str) else f"must be a reference, not {type(value).__name__}"
        raise InvalidInput(path, problem + "; write a reference instead", allowed=refs)
    kind, _, target = value.partition(":")
    if kind == "env":
        if not ENV_NAME.fullmatch(target):
            raise InvalidInput(path, f"{target!r} is not an environment variable name", allowed=refs)
        secret = os.environ.get(target)
        if secret is None:
            raise InvalidInput(path, f"the environment variable {target} is not set",
                               allowed="set it, or leave the field out to keep the stored secret")
    else:
        file = Path(target).expanduser()
        file = file if file.is_absolute() or base is None else base / file
        try:
            secret = file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise InvalidInput(path, f"cannot read {file}: {exc.strerror}", allowed=refs) from None
    if not secret:
        raise InvalidInput(path, f"{value} is empty", allowed="a reference to a non-empty secret")
    return secret


def _check_type(name: str, value: Any, path: str, fields: AccountFields) -> None:
    if value is None:
        if name not in fields.nullable:
            raise InvalidInput(f"{path}.{name}", "must have a value (null is not allowed here)")
        return
    allowed = fields.types[name]
    if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
        wanted = " or ".join(t.__name__ for t in allowed)
        raise InvalidInput(f"{path}.{name}", f"must be {wanted}, not {type(value).__name__}")


def check_account(raw: Any, path: str, *, base: Path | None = None) -> AccountEntry:
    """One account entry: known fields of the right types, secrets as references; values by the rules."""
    if not isinstance(raw, dict):
        raise InvalidInput(path, f"must be a mapping of account fields, not {type(raw).__name__}")
    fields = account_fields()
    unknown = sorted(set(raw) - set(fields.names))
    if unknown:
        raise InvalidInput(f"{path}.{unknown[0]}", "is not an account field", allowed=", ".join(fields.names))
    if not isinstance(raw.get("name"), str):
        raise InvalidInput(f"{path}.name", "is required (text)")
    plain = {k: v for k, v in raw.items() if k not in fields.secret_columns}
    for name, value in plain.items():
        _check_type(name, value, path, fields)
    secrets = {k: resolve_secret(v, f"{path}.{k}", base=base) for k, v in raw.items() if k in fields.secret_columns}
    try:
        cleaned = accounts.clean_fields({**plain, **{k: v for k, v in secrets.items() if v}})
    except InvalidInput as exc:
        raise _at(path, exc) from None
    given = {k: v for k, v in cleaned.items() if k not in fields.secret_columns}
    return AccountEntry(path=path, given=given, secrets={k: cleaned.get(k) for k in secrets},
                        sources={k: raw[k] for k in secrets if raw[k] is not None})


def check_store(raw: Any, path: str) -> StoreEntry:
    """One identity store entry: its name, type, SMS text and account (null: no account)."""
    from .. import rules

    if not isinstance(raw, dict):
        raise InvalidInput(path, f"must be a mapping of identity store fields, not {type(raw).__name__}")
    unknown = sorted(set(raw) - set(STORE_FIELDS))
    if unknown:
        raise InvalidInput(f"{path}.{unknown[0]}", "is not an identity store field", allowed=", ".join(STORE_FIELDS))
    for name, value in raw.items():
        if not (isinstance(value, str) or (value is None and name == "gateway_account")):
            raise InvalidInput(f"{path}.{name}", f"must be text, not {type(value).__name__}")
    try:
        given: dict[str, Any] = {"name": rules.clean_name(raw.get("name"))[0]}
        if "store_type" in raw:
            given["store_type"] = rules.clean_text(raw["store_type"], "store_type") or "Active Directory"
        if "sms_text" in raw:
            given["sms_text"] = rules.clean_sms_text(raw["sms_text"])
        if "gateway_account" in raw:
            account = raw["gateway_account"]
            given["gateway_account"] = None if account is None else rules.clean_name(account, "gateway_account")[0]
    except InvalidInput as exc:
        raise _at(path, exc) from None
    return StoreEntry(path=path, given=given)


def _unique(entries: list, section: str) -> None:
    from .. import rules

    seen: dict[str, str] = {}
    for entry in entries:
        key = rules.clean_name(entry.given["name"])[1]
        if key in seen:
            raise InvalidInput(f"{entry.path}.name", f"repeats the name of {seen[key]}",
                               allowed=f"each entry of {section} names a different object")
        seen[key] = entry.path


def _list(doc: dict, section: str) -> list | None:
    if section not in doc:
        return None
    value = doc[section]
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(section, f"must be a list, not {type(value).__name__}")
    return value


def check_document(doc: Any, *, base: Path | None = None) -> Document:
    """A parsed document checked whole; the first problem raises InvalidInput naming its path."""
    from .sections import SECTION_HOOKS

    if not isinstance(doc, dict):
        raise InvalidInput("(document)", f"must be a mapping, not {type(doc).__name__}",
                           allowed="keys: " + ", ".join(SECTIONS))
    known = (*SECTIONS, *SECTION_HOOKS)
    unknown = sorted(set(doc) - set(known))
    if unknown:
        raise InvalidInput(unknown[0], "is not a section of a configuration document", allowed=", ".join(known))
    if doc.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise InvalidInput("version", f"{doc['version']!r} is not a format this version reads", allowed=str(FORMAT_VERSION))
    out = Document()
    raw_accounts, raw_stores = _list(doc, "accounts"), _list(doc, "identity_stores")
    if raw_accounts is not None:
        out.accounts = [check_account(a, f"accounts[{i}]", base=base) for i, a in enumerate(raw_accounts)]
        _unique(out.accounts, "accounts")
    if raw_stores is not None:
        out.identity_stores = [check_store(s, f"identity_stores[{i}]") for i, s in enumerate(raw_stores)]
        _unique(out.identity_stores, "identity_stores")
    if "default" in doc:
        from .. import rules

        value = doc["default"]
        if value is not None and not isinstance(value, str):
            raise InvalidInput("default", f"must be an account name or null, not {type(value).__name__}")
        out.default = None if value is None else rules.clean_name(value, "default")[0]
        out.manages_default = True
    out.extra = {k: doc[k] for k in SECTION_HOOKS if k in doc}
    return out


# -- Reading and writing ----------------------------------------------------------------------------

HEADER = """\
# smsgw_kit configuration (format {version}). Apply with: smsgw plan FILE && smsgw apply FILE
# Secrets are references resolved when the plan is made: env:NAME (an environment variable) or
# file:PATH (a file's content); leave a secret out to keep the stored one, null to clear it.
# A section left out (accounts, identity_stores, default, fallbacks, routes) is left as it is in the database.
"""


def to_yaml(document: dict[str, Any]) -> str:
    import yaml

    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return HEADER.format(version=FORMAT_VERSION) + body


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse(text: str, *, fmt: str | None = None, origin: str = "the document") -> Any:
    """YAML or JSON text (JSON is YAML too, but its errors read better from the JSON parser)."""
    import yaml

    if fmt == "json" or (fmt is None and text.lstrip().startswith("{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput("(document)", f"{origin} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
        except RecursionError:  # the parser recursed thousands of levels down
            raise _too_deep(origin) from None
    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise _too_deep(origin) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InvalidInput("(document)", f"{origin} is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None


def load(source: str | Path | dict) -> tuple[Any, Path | None]:
    """A document from a dict, a file path, or YAML/JSON text; and the folder `file:` paths are relative to."""
    if isinstance(source, dict):
        return _bounded(source, "the document"), None
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and Path(source).suffix.lower() in (".yaml", ".yml", ".json")):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput("(document)", f"cannot read {path}: {exc.strerror}") from None
        fmt = "json" if path.suffix.lower() == ".json" else "yaml"
        return _bounded(parse(text, fmt=fmt, origin=str(path)), str(path)), path.parent
    if isinstance(source, str):
        return _bounded(parse(source), "the document"), None
    raise InvalidInput("(document)", f"must be a mapping, a file path or YAML/JSON text, not {type(source).__name__}")


def _bounded(data: Any, origin: str) -> Any:
    """`data`, once seen to hold at most MAX_VALUES values nested at most MAX_DEPTH deep.

    A YAML alias repeats a whole subtree, so a 1 KB file can stand for billions of values (a
    "billion laughs"): the walk stops at the limit instead of following them all.
    """
    count, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise _too_deep(origin)
        if count > MAX_VALUES:
            raise InvalidInput("(document)", f"{origin} holds more than {MAX_VALUES:,} values (YAML aliases "
                               "repeated inside each other?)", allowed=f"at most {MAX_VALUES:,} values; 10,000 "
                               "accounts are about 130,000")
        if isinstance(node, dict):
            count += len(node)
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((value, depth + 1) for value in node)
    return data


def _too_deep(origin: str) -> InvalidInput:
    return InvalidInput("(document)", f"{origin} nests more than {MAX_DEPTH} levels deep",
                        allowed="a configuration document: a few levels (accounts, an account, its options)")
