"""Cases: numbers and the transitions a case may make (contacts: tests/domain/test_contacts.py)."""

from survey_app.domain.cases import (
    CaseStatus,
    case_number,
    is_case_number,
    may_move,
)


def test_case_numbers():
    assert case_number(2026, 123) == "PA-2026-000123"
    assert is_case_number("PA-2026-000123") and not is_case_number("PA-2026-12") and not is_case_number("x")


def test_the_lifecycle():
    assert may_move(CaseStatus.NEW, CaseStatus.ACKNOWLEDGED)
    assert not may_move(CaseStatus.NEW, CaseStatus.ANSWERED)
    assert may_move(CaseStatus.ACKNOWLEDGED, CaseStatus.ANSWERED)
    assert may_move(CaseStatus.ANSWERED, CaseStatus.CLOSED)
    assert may_move(CaseStatus.ANSWERED, CaseStatus.ACKNOWLEDGED)  # reopened
    assert not any(may_move(CaseStatus.CLOSED, to) for to in CaseStatus)
