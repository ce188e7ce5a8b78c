"""The providers' documented example requests and replies, each with the page it comes from.

The emulator answers from these, and the gateway tests run the gateway code against them on a loopback
server, so both follow the providers' pages rather than our own reading of them. Values quoted from
a page are marked "documented"; a value we worked out from a documented rule is marked "derived".
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

CLICKATELL: MappingProxyType[str, Any] = MappingProxyType({
    "send_page": "https://docs.clickatell.com/archive/channels/sms-http-s-api-archived/http-api-send-message/",
    "balance_page": "https://docs.clickatell.com/archive/channels/sms-http-s-api-archived/"
                    "http-api-retrieve-account-balance/",
    "spec_pdf": "https://www.clickatell.com/downloads/http/Clickatell_HTTP.pdf",
    # documented (balance page): the command, its parameters and both replies
    "balance_request": {"user": "xxxx", "password": "xxxx", "api_id": "xxxx"},
    "balance_reply": "Credits: 123.00",
    "balance_error": "ERR: 001, Authentication failed",
    # documented (send page and spec): `ID: <apimsgid>` on success, `ERR: <code>, <description>` on failure
    "send_reply": "ID: {apimsgid}",
    "errors": {
        "001": "Authentication failed", "002": "Unknown username or password", "004": "Account frozen",
        "007": "IP Lockdown violation", "101": "Invalid or missing parameters",
        "105": "Invalid destination address", "106": "Invalid source address",
        "108": "Invalid or missing api_id",
    },
    # derived (spec, "Unicode (unicode)": text as hex UCS-2 with unicode=1): UTF-16BE of "Привет"
    "unicode_example": ("Привет", "041F04400438043204350442"),
})

BULLETIN: MappingProxyType[str, Any] = MappingProxyType({
    "guide": "https://docs.bulletin.net/developer-guide/",
    "send_page": "https://docs.bulletin.net/subjects/api-sending/",
    "list_page": "https://docs.bulletin.net/subjects/api-message-rss/",
    # documented (send page): "https://www.bulletinmessenger.net/api/3/sms/out?userId=yourId&password=
    # yourPassword&to=64222222221&body=hello%20world"
    "send_url": "https://www.bulletinmessenger.net/api/3/sms/out",
    "send_request": {"userId": "yourId", "password": "yourPassword", "to": "64222222221", "body": "hello world"},
    # documented (send page): `from` and multiple recipients need /api/3; UTF-16 via contentType
    "from_min_version": 3,
    "utf16_content_type": "text/plain; charset=UTF-16",
    "message_id_max": 36,
    # reported, not re-read: the send result codes (204 accepted; 400 bad parameters, 401 bad credentials,
    # 403 no funds, 500) as our provider notes give them; the page text we could read ends before its table
    "send_success_status": 204,
    "errors": {"400": "Bad request", "401": "Unauthorized", "403": "Insufficient funds",
               "500": "Internal server error"},
    # documented (list page): "https://www.bulletinmessenger.net/api/2/sms/list?userId=yourUsername&
    # password=yourPassword&format=ATOM&type=reply&size=20"; ATOM 1.0 is the default format
    "list_path": "/api/2/sms/list",
    "list_params": ("userId", "password", "format", "type", "size"),
    "list_reply": (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Bulletin Messenger</title></feed>\n'
    ),
})

REDOXYGEN: MappingProxyType[str, Any] = MappingProxyType({
    "page": "https://www.redoxygen.com/support/wiki/red_api/http",
    # documented: "Primary Server: https://www2.redoxygen.net", port 443 for HTTPS
    "server": "https://www2.redoxygen.net",
    "send_path": "/sms.dll?Action=SendSMS",
    # documented: the parameter table's Example column
    "send_request": {"AccountId": "CI00000001", "Email": "username@company.com", "Password": "secret",
                     "Recipient": "61409000000", "Message": "Server 23 is offline."},
    "message_max": 765,
    # documented: the reply starts with a four-digit result code, 0000 meaning success
    "success_code": "0000",
    # not documented: RedOxygen publishes no error table; the emulator's codes are illustrative
    "errors": {"1001": "Authentication failed", "1002": "Missing parameter", "1003": "Invalid recipient",
               "1004": "Insufficient credit", "1005": "Message too long"},
})
