"""smsgw_kit: manage SMS gateway accounts from JupyterLab: create, edit, default, test, link, delete."""

from .db import Database
from .diagnostics import ConnectionReport
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
from .fields import FIELDS, AccountField, GatewayAccountCreate, GatewayAccountUpdate
from .gateways.delivery import DeliveryStatus
from .models import AccountDeleted, GatewayAccountPublic, IdentityStorePublic
from .routing import DeliveryReport
from .rules import CODE_PLACEHOLDER, DEFAULT_SMS_TEXT
from .secrets import Keyring
from .service import GatewayAdmin

connect = GatewayAdmin

__all__ = [
    "CODE_PLACEHOLDER",
    "DEFAULT_SMS_TEXT",
    "FIELDS",
    "AccountDeleted",
    "AccountField",
    "AccountLinked",
    "Conflict",
    "ConnectionReport",
    "Database",
    "DeliveryReport",
    "DeliveryStatus",
    "DuplicateName",
    "GatewayAccountCreate",
    "GatewayAccountPublic",
    "GatewayAccountUpdate",
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
