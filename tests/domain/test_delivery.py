"""domain.delivery and domain.sms_gateway: retries and the gateways' requests and replies."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from survey_app.domain.delivery import PermanentFailure, RetryPolicy, TemporaryFailure
from survey_app.domain.sms_gateway import SmsGateway, check_reply, sms_request, without_diacritics


def test_retries_wait_longer_each_time_then_stop():
    policy = RetryPolicy(max_attempts=4, first_delay=timedelta(minutes=1), factor=4)
    assert [policy.delay_after(n) for n in range(1, 5)] == [timedelta(minutes=1), timedelta(minutes=4),
                                                            timedelta(minutes=16), None]
    assert RetryPolicy().delay_after(6) is None


def test_vietnamese_loses_its_diacritics_and_nothing_else():
    assert without_diacritics("Hồ sơ PA-2026-000123 đã được tiếp nhận. Đúng hạn!") == \
        "Ho so PA-2026-000123 da duoc tiep nhan. Dung han!"


def _gateway(provider: str, unicode: bool = False) -> SmsGateway:
    return SmsGateway(provider=provider, url="https://sms.example.vn/send", api_key="KEY", secret_key="SECRET",
                      brandname="UBND-Q1", sms_type=2, unicode=unicode)


def test_the_esms_request():
    request = sms_request(_gateway("esms"), phone="0912345678", text="Mã hồ sơ", request_id="outbox-7")
    assert request.url == "https://sms.example.vn/send"
    assert json.loads(request.body) == {"ApiKey": "KEY", "SecretKey": "SECRET", "Phone": "0912345678",
                                        "Content": "Ma ho so", "Brandname": "UBND-Q1", "SmsType": "2",
                                        "IsUnicode": "0", "RequestId": "outbox-7"}
    unicode = sms_request(_gateway("esms", unicode=True), phone="0912345678", text="Mã hồ sơ", request_id="1")
    assert json.loads(unicode.body)["Content"] == "Mã hồ sơ" and json.loads(unicode.body)["IsUnicode"] == "1"


def test_the_speedsms_request():
    request = sms_request(_gateway("speedsms"), phone="0912345678", text="Mã hồ sơ", request_id="outbox-7")
    assert json.loads(request.body) == {"to": ["84912345678"], "content": "Ma ho so", "sms_type": 2,
                                        "sender": "UBND-Q1"}
    assert dict(request.headers)["Authorization"] == "Basic " + base64.b64encode(b"KEY:x").decode()


def test_an_unknown_provider_is_refused():
    with pytest.raises(ValueError, match="unknown SMS provider"):
        sms_request(_gateway("nexmo"), phone="0912345678", text="x", request_id="1")


@pytest.mark.parametrize(("provider", "status", "reply", "outcome"), [
    ("esms", 200, {"CodeResult": "100", "SMSID": "abc"}, None),
    ("esms", 200, {"CodeResult": "124"}, None),  # the RequestId was accepted before
    ("esms", 200, {"CodeResult": "103", "ErrorMessage": "Balance not enough"}, TemporaryFailure),
    ("esms", 200, {"CodeResult": "101", "ErrorMessage": "Authorize Failed"}, TemporaryFailure),
    ("esms", 503, {}, TemporaryFailure),
    ("esms", 404, {}, PermanentFailure),
    ("speedsms", 200, {"status": "success", "code": "00"}, None),
    ("speedsms", 200, {"status": "error", "code": "300", "message": "not enough balance"}, TemporaryFailure),
    ("speedsms", 200, {"status": "error", "code": "105", "message": "phone 0912345678 invalid"}, TemporaryFailure),
    ("speedsms", 400, {}, PermanentFailure),
    ("speedsms", 429, {}, TemporaryFailure),
])
def test_what_a_reply_means(provider, status, reply, outcome):
    body = json.dumps(reply).encode()
    if outcome is None:
        assert check_reply(provider, status, body) is None
    else:
        with pytest.raises(outcome) as raised:
            check_reply(provider, status, body)
        # The gateway's own words may quote the number: only the code is kept.
        for words in (reply.get("ErrorMessage"), reply.get("message")):
            assert words is None or words not in raised.value.reason


def test_a_reply_that_is_not_json_is_tried_again():
    with pytest.raises(TemporaryFailure):
        check_reply("esms", 200, b"<html>Bad gateway</html>")
