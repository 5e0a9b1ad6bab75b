"""services.idempotency: the request's fingerprint, the derived tokens and the key's checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest

from survey_app.services.idempotency import (
    IdempotencyKeyError,
    checked_key,
    derived_tokens,
    key_fingerprint,
    request_hash,
)

API_KEY = "sk_" + "a" * 43


def test_derived_tokens_look_like_random_ones_and_depend_on_every_input():
    tokens = derived_tokens(API_KEY, "salt-1", 500)
    assert len(set(tokens)) == 500
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", token) for token in tokens)  # as new_secret()
    digest = hmac.new(API_KEY.encode(), b"invitation-token:salt-1:7", hashlib.sha256).digest()
    assert tokens[7] == base64.urlsafe_b64encode(digest[:18]).decode()
    assert derived_tokens(API_KEY, "salt-1", 3) == tokens[:3]
    assert set(derived_tokens(API_KEY, "salt-2", 500)).isdisjoint(tokens)
    assert set(derived_tokens("sk_" + "b" * 43, "salt-1", 500)).isdisjoint(tokens)


def test_an_idempotency_key_is_kept_as_an_hmac_under_the_api_key():
    expected = hmac.new(API_KEY.encode(), b"idempotency-key:000.00.01.H29-240101-0001", hashlib.sha256).hexdigest()
    assert key_fingerprint(API_KEY, "000.00.01.H29-240101-0001") == expected
    assert key_fingerprint("sk_" + "b" * 43, "000.00.01.H29-240101-0001") != expected
    assert key_fingerprint(API_KEY, "000.00.01.H29-240101-0002") != expected


def test_the_request_hash_ignores_key_order_and_is_keyed_by_the_api_key():
    fields = {"unit": "Q1", "count": 1, "channel": "direct", "procedure": None, "reference": None}
    reordered = dict(reversed(list(fields.items())))
    assert request_hash(API_KEY, fields) == request_hash(API_KEY, reordered)
    canonical = ('{"channel":"direct","count":1,"procedure":null,"reference":null,"unit":"Q1"}')
    assert request_hash(API_KEY, fields) == hmac.new(API_KEY.encode(), canonical.encode(),
                                                     hashlib.sha256).hexdigest()
    assert request_hash(API_KEY, {**fields, "count": 2}) != request_hash(API_KEY, fields)
    # A dossier reference cannot be confirmed from the stored hash without the API key.
    assert request_hash("sk_other", fields) != request_hash(API_KEY, fields)


def test_a_key_is_1_to_255_printable_ascii_characters():
    assert checked_key("9b2f6c1e-4d7a-4c1b-8f0e-2a6d5c3b1a90") == "9b2f6c1e-4d7a-4c1b-8f0e-2a6d5c3b1a90"
    assert checked_key("~" * 255) == "~" * 255
    assert checked_key("dossier 0001") == "dossier 0001"
    for bad in ("", "x" * 256, "hồ sơ", "a\x00b", "a\nb", "a\x7fb"):
        with pytest.raises(IdempotencyKeyError):
            checked_key(bad)
