"""A citizen's reply request (a case): its states, the causes an answer names, its number, and
the contact it may be answered on.

A case is its own thing: it holds the unit, the day, the citizen's text and a contact, and
nothing of the survey response the citizen may have given just before (anonymity by
construction, docs/architecture.md).
"""

from __future__ import annotations

import re
from enum import StrEnum


class CaseStatus(StrEnum):
    NEW = "new"                    # confirmed (or needing no confirmation), waiting for the unit
    ACKNOWLEDGED = "acknowledged"  # the unit has seen it and is working on it
    ANSWERED = "answered"          # the unit answered; the citizen may rate it or reopen it once
    CLOSED = "closed"              # rated, or CASE_CLOSE_DAYS after the answer


OPEN_STATUSES = frozenset({CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.ANSWERED})

# What may follow what; anything else is refused (services/cases.py asks here).
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset({CaseStatus.ACKNOWLEDGED}),
    CaseStatus.ACKNOWLEDGED: frozenset({CaseStatus.ANSWERED}),
    CaseStatus.ANSWERED: frozenset({CaseStatus.CLOSED, CaseStatus.ACKNOWLEDGED}),  # closed, or reopened
    CaseStatus.CLOSED: frozenset(),
}


def may_move(current: str, to: str) -> bool:
    return CaseStatus(to) in TRANSITIONS[CaseStatus(current)]


class Cause(StrEnum):
    """The fixed list an answer names its cause from, so that officers can count causes."""
    ATTITUDE = "attitude"          # thái độ công chức
    TIME = "time"                  # thời gian giải quyết
    PROCEDURE = "procedure"        # thủ tục/giấy tờ
    FEES = "fees"                  # phí/lệ phí
    FACILITIES = "facilities"      # cơ sở vật chất
    INFORMATION = "information"    # thông tin/hướng dẫn
    OTHER = "other"                # khác


class Resolution(StrEnum):
    """The citizen's answer to "was the problem solved?"."""
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


RATINGS = (1, 2, 3, 4, 5)
# A case's number: PA (phản ánh, kiến nghị), the year it was received, its place in that year.
NUMBER_PREFIX = "PA"
MAX_TEXT_LENGTH = 2000
MAX_EMAIL_LENGTH = 254


def case_number(year: int, sequence: int) -> str:
    """``PA-2026-000123``."""
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:06d}"


_NUMBER = re.compile(rf"{NUMBER_PREFIX}-(\d{{4}})-(\d{{6,}})")


def is_case_number(text: str) -> bool:
    return _NUMBER.fullmatch(text or "") is not None


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


# Vietnamese mobile numbers: 0 (or +84 / 84) then a mobile prefix (3, 5, 7, 8 or 9) and 8 more
# digits, ten digits in all once written with the leading 0. Spaces, dots and dashes between
# digits are how people write them, and are dropped.
_MOBILE = re.compile(r"(?:\+?84|0)([35789]\d{8})")
_SEPARATORS = re.compile(r"[\s.\-()]")
# An address as mail servers accept it: one @, a local part without spaces, a domain of at least
# two labels of letters, digits and hyphens. Deliberately plain: the confirmation link is what
# proves an address.
_EMAIL = re.compile(r"[^@\s\x00-\x1f\"<>,;]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                    r"[A-Za-z]{2,63}")


def normalised_mobile(text: str) -> str | None:
    """A Vietnamese mobile number as ``0xxxxxxxxx``, or None when ``text`` is not one."""
    found = _MOBILE.fullmatch(_SEPARATORS.sub("", text or ""))
    return f"0{found.group(1)}" if found else None


def normalised_email(text: str) -> str | None:
    """The address, trimmed and with its domain in lower case, or None when it is not one."""
    text = (text or "").strip()
    if len(text) > MAX_EMAIL_LENGTH or _EMAIL.fullmatch(text) is None:
        return None
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"
