"""services.secrets: random secrets handed out once, and the hashes kept of them."""

from __future__ import annotations

import hashlib
import hmac
import re

from survey_app.services.secrets import TOKEN_BYTES, keyed_hash, new_secret, secret_hash


def test_a_secret_is_url_safe_and_new_every_time():
    tokens = {new_secret() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", t) for t in tokens)  # 18 bytes, base64url
    assert TOKEN_BYTES == 18
    assert len(new_secret(32)) == 43


def test_secret_hash_is_sha256_hex():
    assert secret_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert secret_hash("Bến Nghé") == hashlib.sha256("Bến Nghé".encode()).hexdigest()


def test_keyed_hash_is_an_hmac_of_the_trimmed_value():
    expected = hmac.new(b"key", b"000.00.01.H29-240101-0001", hashlib.sha256).hexdigest()
    assert keyed_hash("key", "000.00.01.H29-240101-0001") == expected
    assert keyed_hash("key", "  000.00.01.H29-240101-0001\n") == expected
    # Without the key the same reference gives another hash: a copy of the table alone
    # cannot be matched against a list of dossier numbers.
    assert keyed_hash("other key", "000.00.01.H29-240101-0001") != expected
    assert keyed_hash("key", "000.00.01.H29-240101-0001") != secret_hash("000.00.01.H29-240101-0001")
