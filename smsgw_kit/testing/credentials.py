"""The credentials and URL paths the emulator uses for each built-in gateway type by default."""

from __future__ import annotations

from types import MappingProxyType

# Each provider's send URL path on the emulator (append to its base URL to get the gateway URL).
PATHS = MappingProxyType({
    "Nexmo": "/sms/json",
    "Twilio": "/2010-04-01",
    "Bulletin.net": "/api/3/sms/out",
    "RedOxygen": "/sms.dll?Action=SendSMS",
    "Clickatell": "/http/sendmsg",
    "Generic HTTP": "/generic/send",
})

# Working account fields per provider; add more sets with ProviderEmulator.add_credentials().
DEFAULT_CREDENTIALS = MappingProxyType({
    "Nexmo": {"user_name": "emu12345", "password": "emusecret123", "sender_id": "smsgwkit"},
    "Twilio": {"account_id": "AC0123456789abcdef0123456789abcdef",
               "password": "emu0twilio0auth0token0123456789a", "sender_id": "+15005550006"},
    "Bulletin.net": {"user_name": "emu-user", "password": "emu-pass", "sender_id": "smsgwkit"},
    "RedOxygen": {"account_id": "CI00000001", "user_name": "operator@example.com", "password": "emu-pass"},
    "Clickatell": {"account_id": "3456789", "user_name": "emu-user", "password": "emu-pass",
                   "sender_id": "smsgwkit"},
    "Generic HTTP": {"password": "emu-token"},
})


def generic_options(base_url: str) -> dict:
    """Options that make the Generic HTTP gateway talk to the emulator's generic endpoint."""
    return {
        "method": "POST", "body_format": "form",
        "params": {"to": "{phone}", "text": "{message}", "from": "{sender_id}"},
        "headers": {"Authorization": "Bearer {password}"},
        "success_status": "200-299", "success_pattern": "^OK", "message_id_pattern": r"id=(\w+)",
        "credentials_url": f"{base_url}/generic/balance",
    }
