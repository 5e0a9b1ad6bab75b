"""A citizen's contact: a Vietnamese mobile number or an e-mail address, normalised so that
the same contact is always written (and fingerprinted) the same way, and a hint of it that
says where a message went without saying who received it."""

from __future__ import annotations

import re

# Mobile prefixes in service since the 2018 renumbering (Viettel 03x/086/096-098, Vinaphone
# 08x/091/094, MobiFone 07x/089/090/093, Vietnamobile 052/056/058/092, Gmobile 059/099,
# Itelecom 087, Reddi 055): 0 + 9 digits, the second digit 3, 5, 7, 8 or 9.
_VN_MOBILE = re.compile(r"0[35789]\d{8}")
_SEPARATORS = re.compile(r"[\s.\-()]")
# What a sender can be told is an address: one @, no spaces, a dot in the domain. The mail
# server decides the rest; this only catches typing mistakes.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")


class ContactError(ValueError):
    pass


def vn_mobile(text: str) -> str:
    """``0912 345 678``, ``+84 912 345 678``, ``84912345678`` -> ``0912345678``."""
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _VN_MOBILE.fullmatch(digits):
        raise ContactError("not a Vietnamese mobile number")
    return digits


def international(mobile: str) -> str:
    """``0912345678`` -> ``84912345678``, the form most SMS gateways take."""
    return "84" + vn_mobile(mobile)[1:]


def email_address(text: str) -> str:
    address = text.strip()
    if len(address) > 254 or not _EMAIL.fullmatch(address):
        raise ContactError("not an e-mail address")
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def hint(contact: str) -> str:
    """``0912345678`` -> ``…678``; ``lan.nguyen@example.vn`` -> ``l…@e…``."""
    if "@" in contact:
        local, domain = contact.rsplit("@", 1)
        return f"{local[:1]}…@{domain[:1]}…"
    return f"…{contact[-3:]}"
