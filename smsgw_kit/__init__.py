"""smsgw_kit: manage SMS gateway accounts from JupyterLab: create, edit, default, test, link, delete."""

from .db import Database
from .errors import (
    AccountLinked,
    Conflict,
    DuplicateName,
    GatewayError,
    InvalidInput,
    NotFound,
    SecretsError,
    SmsgwError,
    StaleEdit,
    StorageError,
    UnknownGatewayType,
)
from .gateways.delivery import DeliveryStatus
from .models import GatewayAccountPublic, IdentityStorePublic
from .routing import DeliveryReport
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
    "DeliveryReport",
    "DeliveryStatus",
    "DuplicateName",
    "GatewayAccountPublic",
    "GatewayAdmin",
    "GatewayError",
    "IdentityStorePublic",
    "InvalidInput",
    "Keyring",
    "NotFound",
    "SecretsError",
    "SmsgwError",
    "StaleEdit",
    "StorageError",
    "UnknownGatewayType",
    "connect",
]
