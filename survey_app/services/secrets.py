"""Secrets handed out once (invitation tokens, API keys, kiosk keys) and the hashes we keep."""

from __future__ import annotations

import hashlib
import secrets

# 18 random bytes = 144 bits, 24 URL-safe characters: short enough for a QR code on a slip.
TOKEN_BYTES = 18


def new_secret(nbytes: int = TOKEN_BYTES) -> str:
    return secrets.token_urlsafe(nbytes)


def secret_hash(secret: str) -> str:
    """SHA-256 is enough for high-entropy random secrets (no password stretching needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()

