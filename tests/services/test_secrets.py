"""services.secrets: random secrets handed out once, and the hashes kept of them."""

from __future__ import annotations

import hashlib
import re

from survey_app.services.secrets import TOKEN_BYTES, new_secret, secret_hash


def test_a_secret_is_url_safe_and_new_every_time():
    tokens = {new_secret() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", t) for t in tokens)  # 18 bytes, base64url
    assert TOKEN_BYTES == 18
    assert len(new_secret(32)) == 43


def test_secret_hash_is_sha256_hex():
    assert secret_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert secret_hash("Bến Nghé") == hashlib.sha256("Bến Nghé".encode()).hexdigest()

