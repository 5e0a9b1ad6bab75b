"""SMS through the brand-name gateway of SMS_PROVIDER at SMS_GATEWAY_URL (domain/sms_gateway.py
says the request's shape); off while the URL is unset."""

from __future__ import annotations

import urllib.error
import urllib.request

from flask import Flask

from survey_app.domain.delivery import PermanentFailure, TemporaryFailure
from survey_app.domain.sms_gateway import SmsGateway, check_reply, sms_request
from survey_app.services.outbox import Envelope


def sms_gateway(app: Flask) -> SmsGateway | None:
    """The configured gateway, or None when SMS is off."""
    config = app.config
    if not config.get("SMS_GATEWAY_URL"):
        return None
    return SmsGateway(provider=config["SMS_PROVIDER"], url=config["SMS_GATEWAY_URL"],
                      api_key=config.get("SMS_API_KEY") or "", secret_key=config.get("SMS_SECRET_KEY"),
                      brandname=config.get("SMS_BRANDNAME"), sms_type=int(config["SMS_TYPE"]),
                      unicode=bool(config["SMS_UNICODE"]))


def send_sms(gateway: SmsGateway | None, envelope: Envelope, timeout: float) -> None:
    if gateway is None:
        raise PermanentFailure("sms is off (SMS_GATEWAY_URL is not set)")
    request = sms_request(gateway, phone=envelope.to, text=envelope.text, request_id=f"outbox-{envelope.id}")
    http_request = urllib.request.Request(request.url, data=request.body, headers=dict(request.headers),
                                          method="POST")
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as reply:  # noqa: S310 (the configured URL)
            status, body = reply.status, reply.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        status, body = exc.code, b""
    except (urllib.error.URLError, OSError) as exc:
        raise TemporaryFailure(f"sms gateway unreachable: {type(exc).__name__}") from None
    check_reply(gateway.provider, status, body)
