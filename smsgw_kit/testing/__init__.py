"""The provider emulator: a real local HTTP(S) server speaking each built-in provider's API, for tests."""

from .credentials import DEFAULT_CREDENTIALS, PATHS
from .emulator import ProviderEmulator
from .refusing import RefusingPort
from .state import Fault, RecordedRequest, Reply

__all__ = ["DEFAULT_CREDENTIALS", "PATHS", "Fault", "ProviderEmulator", "RecordedRequest", "RefusingPort", "Reply"]
