"""Masking personal data in citizens' free-text comments before anyone reads or exports them.

Citizens write their phone number, e-mail or ID card number into the comment box ("gọi lại
cho tôi 0912 345 678"). Reports and pages show comments to officers who need the complaint,
not the person, so each such value is replaced by a bracketed word naming what was there:

    [số điện thoại]   a Vietnamese mobile (10 digits, 03/05/07/08/09...) or landline (11 digits,
                      02x...), written with or without spaces, dots, dashes, an area code in
                      brackets, or +84 / 0084 instead of the leading 0; a mobile also in
                      groups (0912/345/678, 0912–345–678, 0912,345,678) split by one same
                      slash, comma or long dash (so that a date such as 05/07/2026 stays)
    [email]           an e-mail address
    [số giấy tờ]      a 9-digit CMND or 12-digit CCCD number (digits written together; a CCCD
                      may also be written in groups of 3 or 4 separated by spaces, dashes or
                      dots: 001-234-567-890, 001.234.567.890; never an amount, which has no
                      leading 0)

The words are Vietnamese whatever the report's language: they stand inside the citizen's own
(untranslated) words. Numbers that are not personal data stay: years, dates, times, short
numbers and amounts written the Vietnamese way (50.000 đồng, 1.500.000.000 đ). A 9-digit run
followed by a currency word is an amount, not a CMND.
"""

from __future__ import annotations

import re

__all__ = ["EMAIL_MASK", "ID_MASK", "PHONE_MASK", "mask_personal_data"]

PHONE_MASK = "[số điện thoại]"
EMAIL_MASK = "[email]"
ID_MASK = "[số giấy tờ]"

_SEP = r"[ \u00a0.\-]"          # what people put between digit groups of a phone number
_NOT_AFTER_NUMBER = r"(?<!\d)(?<!\d[.,])"   # not the middle or the decimals of a bigger number
_NOT_BEFORE_NUMBER = r"(?!\d)(?![.,]\d)"

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z0-9\-])"
)

_PHONE_FORMS = (
    # +84 / 0084 (or 84 written straight on) instead of the leading 0; "(0)" is sometimes kept.
    rf"(?:(?<![\w+])\+|(?<!\w)00|(?<![\w+]))84{_SEP}?(?:\(0\){_SEP}?)?\(?"
    rf"(?:[35789]\d(?:\)?{_SEP}?\d){{7}}|2\d(?:\)?{_SEP}?\d){{8}})",
    # Landline with the area code in brackets: (028) 3822 1234, (0236) 382 1234.
    rf"(?<![\w(])\(02\d\){_SEP}?\d(?:{_SEP}?\d){{7}}",
    rf"(?<![\w(])\(02\d\d\){_SEP}?\d(?:{_SEP}?\d){{6}}",
    # National form: mobile 0 + 9 digits, landline 02 + 9 digits, separators anywhere.
    rf"{_NOT_AFTER_NUMBER}0[35789](?:{_SEP}?\d){{8}}",
    rf"{_NOT_AFTER_NUMBER}02\d(?:{_SEP}?\d){{8}}",
    # A mobile in groups of 4-3-3 or 3-3-4 split by one same slash, comma or long dash.
    rf"{_NOT_AFTER_NUMBER}0[35789]\d\d(?P<p1>[/,\u2013\u2014])\d{{3}}(?P=p1)\d{{3}}",
    rf"{_NOT_AFTER_NUMBER}0[35789]\d(?P<p2>[/,\u2013\u2014])\d{{3}}(?P=p2)\d{{4}}",
)
_PHONE = re.compile("|".join(f"(?:{form}){_NOT_BEFORE_NUMBER}" for form in _PHONE_FORMS))

_CURRENCY_AFTER = r"(?!\s?(?:đồng|đ\b|vnđ|vnd|triệu|tỷ|nghìn|ngàn))"
_ID = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?:\d{{12}}|\d{{9}}|0\d\d(?P<i1>[ .\-])\d{{3}}(?P=i1)\d{{3}}(?P=i1)\d{{3}}"
    r"|0\d{3}(?P<i2>[ .\-])\d{4}(?P=i2)\d{4})"
    rf"{_NOT_BEFORE_NUMBER}{_CURRENCY_AFTER}",
    re.IGNORECASE,
)


def mask_personal_data(text: str) -> str:
    """``text`` with every phone number, e-mail address and ID number replaced by a mask word."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MASK, text)
    # Phones before IDs: a 10- or 11-digit phone must not lose 9 of its digits to the ID rule.
    text = _PHONE.sub(PHONE_MASK, text)
    return _ID.sub(ID_MASK, text)
