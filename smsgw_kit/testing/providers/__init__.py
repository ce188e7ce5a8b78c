"""The emulated providers: each module's NAME, ERRORS (documented error codes) and ROUTES."""

from . import bulletin, clickatell, generic, nexmo, redoxygen, twilio

PROVIDERS = (nexmo, twilio, bulletin, redoxygen, clickatell, generic)

__all__ = ["PROVIDERS", "bulletin", "clickatell", "generic", "nexmo", "redoxygen", "twilio"]
