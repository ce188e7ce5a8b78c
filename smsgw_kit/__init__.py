"""smsgw_kit: manage SMS gateway accounts from JupyterLab: create, edit, default, test, link, delete."""

from .db import Database
from .errors import (
    AccountLinked,
    Conflict,
    DuplicateName,
    GatewayError,
    InvalidInput,
    KeyNeeded,
    NotFound,
    ReadOnly,
    SecretsError,
    SmsgwError,
    StaleEdit,
    StaleKey,
    StorageError,
    UnknownGatewayType,
)
from .models import GatewayAccountPublic, IdentityStorePublic
from .rules import CODE_PLACEHOLDER, DEFAULT_SMS_TEXT
from .secrets import Keyring
from .service import GatewayAdmin

connect = GatewayAdmin

__all__ = [
    "CODE_PLACEHOLDER",
    "DEFAULT_SMS_TEXT",
    "AccountLinked",
    "Conflict",
    "Database",
    "DuplicateName",
    "GatewayAccountPublic",
    "GatewayAdmin",
    "GatewayError",
    "IdentityStorePublic",
    "InvalidInput",
    "KeyNeeded",
    "Keyring",
    "NotFound",
    "ReadOnly",
    "SecretsError",
    "SmsgwError",
    "StaleEdit",
    "StaleKey",
    "StorageError",
    "UnknownGatewayType",
    "connect",
]
