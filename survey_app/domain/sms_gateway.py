"""The request shapes of Vietnamese brand-name SMS gateways, and what their replies mean.

A brand-name SMS is sent by one HTTPS POST of JSON naming the registered sender (brand name),
the number, the text and the message type; the reply is JSON with a result code. Two shapes:

- ``esms``: eSMS.vn, ``SendMultipleMessage_V4_post_json``: ``ApiKey``, ``SecretKey``,
  ``Phone``, ``Content``, ``Brandname``, ``SmsType``, ``IsUnicode``, ``RequestId``; the reply's
  ``CodeResult`` is ``100`` when accepted. ``RequestId`` is the outbox message's id, and a
  repeated one is refused as such (``124``): a retry after a lost reply never sends twice.
- ``speedsms``: SpeedSMS, ``/index.php/sms/send`` with the access token as the Basic-auth
  user: ``to`` (a list of 84... numbers), ``content``, ``sms_type``, ``sender``; the reply's
  ``status`` is ``success``.
"""

from __future__ import annotations

import base64
import json
import unicodedata
from dataclasses import dataclass

from survey_app.domain.contacts import international
from survey_app.domain.delivery import PermanentFailure, TemporaryFailure

PROVIDERS = ("esms", "speedsms")
# eSMS answers 124 to a RequestId it has already accepted: the message left before.
_ESMS_SENT = {"100", "124"}


@dataclass(frozen=True)
class SmsGateway:
    provider: str
    url: str
    api_key: str
    secret_key: str | None
    brandname: str | None
    sms_type: int
    unicode: bool


@dataclass(frozen=True)
class SmsRequest:
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def without_diacritics(text: str) -> str:
    """``Hồ sơ đã được tiếp nhận`` -> ``Ho so da duoc tiep nhan``: a non-Unicode SMS carries
    160 characters a part instead of 70, and some brand names are registered for ASCII only."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sms_request(gateway: SmsGateway, *, phone: str, text: str, request_id: str) -> SmsRequest:
    if gateway.provider not in PROVIDERS:
        raise ValueError(f"unknown SMS provider {gateway.provider!r}; known: {', '.join(PROVIDERS)}")
    content = text if gateway.unicode else without_diacritics(text)
    headers = [("Content-Type", "application/json; charset=utf-8"), ("Accept", "application/json")]
    if gateway.provider == "esms":
        body = {"ApiKey": gateway.api_key, "SecretKey": gateway.secret_key or "", "Phone": phone,
                "Content": content, "Brandname": gateway.brandname or "", "SmsType": str(gateway.sms_type),
                "IsUnicode": "1" if gateway.unicode else "0", "RequestId": request_id}
    else:
        credentials = base64.b64encode(f"{gateway.api_key}:x".encode()).decode("ascii")
        headers.append(("Authorization", f"Basic {credentials}"))
        body = {"to": [international(phone)], "content": content, "sms_type": gateway.sms_type,
                "sender": gateway.brandname or ""}
    return SmsRequest(gateway.url, tuple(headers), json.dumps(body, ensure_ascii=False).encode("utf-8"))


def check_reply(provider: str, status: int, body: bytes) -> None:
    """Return if the gateway accepted the message; raise TemporaryFailure or PermanentFailure."""
    if status >= 500 or status in (408, 429):
        raise TemporaryFailure(f"sms gateway http {status}")
    if status >= 400:  # the request itself is wrong: the same request will be wrong again
        raise PermanentFailure(f"sms gateway http {status}")
    try:
        reply = json.loads(body)
    except ValueError:
        raise TemporaryFailure("sms gateway reply is not JSON") from None
    if not isinstance(reply, dict):
        raise TemporaryFailure("sms gateway reply is not a JSON object")
    # A gateway's own error code is tried again, up to the last try: it is mostly the account
    # (a key, the balance, a brand name not yet approved), which an operator fixes within hours.
    if provider == "esms":
        code = str(reply.get("CodeResult", ""))
        if code in _ESMS_SENT:
            return
        raise TemporaryFailure(f"esms code {code}")  # its message may quote the number: not kept
    if reply.get("status") == "success":
        return
    raise TemporaryFailure(f"speedsms code {reply.get('code', '')}")
