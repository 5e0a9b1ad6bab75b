"""domain.contacts and domain.contact_cipher: contacts normalised, hinted and encrypted."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from survey_app.domain.contact_cipher import ContactCipher, ContactKeyError
from survey_app.domain.contacts import ContactError, email_address, hint, international, vn_mobile


@pytest.mark.parametrize("written", ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678",
                                     "84912345678", " (091) 234-5678 "])
def test_a_mobile_number_is_written_one_way(written):
    assert vn_mobile(written) == "0912345678"
    assert international(written) == "84912345678"


@pytest.mark.parametrize("wrong", ["", "091234567", "09123456789", "0212345678", "1912345678", "+1 912 345 678",
                                   "0912abc678", "0112345678"])
def test_what_is_not_a_vietnamese_mobile_number_is_refused(wrong):
    with pytest.raises(ContactError):
        vn_mobile(wrong)


def test_an_email_address_keeps_its_local_part_and_lowers_its_domain():
    assert email_address("  Lan.Nguyen@Example.GOV.vn ") == "Lan.Nguyen@example.gov.vn"
    for wrong in ("lan", "lan@", "@example.vn", "lan@example", "lan nguyen@example.vn", "a@b@example.vn",
                  "x" * 65 + "@example.vn"):
        with pytest.raises(ContactError):
            email_address(wrong)


def test_a_hint_says_where_without_saying_who():
    assert hint("0912345678") == "…678"
    assert hint("lan.nguyen@example.vn") == "l…@e…"


def test_the_cipher_opens_what_it_closed_and_nothing_else():
    cipher = ContactCipher(Fernet.generate_key().decode())
    token = cipher.encrypt("0912345678")
    assert "0912345678" not in token
    assert cipher.encrypt("0912345678") != token  # a fresh IV each time: equal contacts do not show
    assert cipher.decrypt(token) == "0912345678"
    stranger = ContactCipher(ContactCipher.new_key())
    with pytest.raises(ContactKeyError):
        stranger.decrypt(token)


def test_keys_rotate_the_first_encrypts_and_every_one_decrypts():
    old, new = ContactCipher.new_key(), ContactCipher.new_key()
    token = ContactCipher(old).encrypt("lan@example.vn")
    both = ContactCipher(f"{new},{old}".split(","))
    assert both.decrypt(token) == "lan@example.vn"
    rotated = both.rotate(token)
    assert ContactCipher(new).decrypt(rotated) == "lan@example.vn"
    with pytest.raises(ContactKeyError):
        ContactCipher(old).decrypt(rotated)


def test_a_fingerprint_is_keyed():
    key = ContactCipher.new_key()
    assert ContactCipher(key).fingerprint("sms:0912345678") == ContactCipher(key).fingerprint("sms:0912345678")
    assert ContactCipher(key).fingerprint("sms:0912345678") != ContactCipher(key).fingerprint("sms:0912345679")
    assert ContactCipher(key).fingerprint("sms:0912345678") != ContactCipher(ContactCipher.new_key()).fingerprint(
        "sms:0912345678")


def test_a_key_that_is_not_a_fernet_key_is_refused():
    for wrong in ("", "short", "ő" * 44, []):
        with pytest.raises(ContactKeyError):
            ContactCipher(wrong)
