"""A citizen's reply request (a case): its states, the causes an answer names, its number, and
the kinds of contact it may be answered on (domain/contacts.py checks and writes them).

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


def case_number(year: int, sequence: int) -> str:
    """``PA-2026-000123``."""
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:06d}"


_NUMBER = re.compile(rf"{NUMBER_PREFIX}-(\d{{4}})-(\d{{6,}})")


def is_case_number(text: str) -> bool:
    return _NUMBER.fullmatch(text or "") is not None


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
