"""Contacts encrypted at rest: a citizen's phone number or e-mail address is kept only as a
Fernet token (AES-128-CBC with an HMAC), whose key lives outside the database.

The key comes from ``CONTACT_KEYS`` (the environment, ``SURVEY_APP_CONTACT_KEYS``) or from the
file ``instance/contact_key`` made once per installation (config.py). Several keys rotate it:
the first encrypts, every one decrypts (``MultiFernet``), so a new key can be put first and the
old one dropped once the old tokens are gone (``rotate`` re-encrypts a token with the first).

A copy of the database alone reveals no contact; a copy of the database and of the key does,
which is why backups keep them apart.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class ContactKeyError(ValueError):
    """A key that is not a Fernet key, or a token no key of this installation opens."""


class ContactCipher:
    def __init__(self, keys: str | Sequence[str]):
        keys = [keys] if isinstance(keys, str) else list(keys)
        if not keys:
            raise ContactKeyError("no contact key given")
        try:
            fernets = [Fernet(key.strip().encode("ascii")) for key in keys]
        except (ValueError, UnicodeEncodeError) as exc:
            raise ContactKeyError("a contact key must be 32 url-safe base64-encoded bytes (Fernet.generate_key())") from exc
        self._fernet = MultiFernet(fernets)
        # The fingerprint's own key, derived from the first key so that one secret is enough:
        # a hash of a phone number is only as safe as its key (there are few phone numbers).
        self._fingerprint_key = hmac.new(keys[0].strip().encode("ascii"), b"contact fingerprint",
                                         hashlib.sha256).digest()

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ContactKeyError("this token was not made with any contact key of this installation") from exc

    def rotate(self, token: str) -> str:
        """The same plaintext encrypted with the first key (after a new key was put first)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise ContactKeyError("this token was not made with any contact key of this installation") from exc

    def fingerprint(self, contact: str) -> str:
        """A keyed hash of a normalised contact: equal for the same contact, so the same phone
        number can be recognised (one message a day) without keeping it in clear."""
        return hmac.new(self._fingerprint_key, contact.encode("utf-8"), hashlib.sha256).hexdigest()
