"""Helpers the emulated providers share: replies in JSON and text, and fresh message ids."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..state import Reply


def json_reply(data: Any, status: int = 200) -> Reply:
    return Reply(status=status, body=json.dumps(data), content_type="application/json")


def text_reply(text: str, status: int = 200, **headers: str) -> Reply:
    return Reply(status=status, body=text, headers={k.replace("_", "-"): v for k, v in headers.items()})


def new_id(prefix: str = "", length: int = 32) -> str:
    return prefix + uuid.uuid4().hex[:length]
