"""Cases: contacts, numbers and the transitions a case may make."""

import pytest

from survey_app.domain.cases import (
    CaseStatus,
    case_number,
    is_case_number,
    may_move,
    normalised_email,
    normalised_mobile,
)


@pytest.mark.parametrize("typed, kept", [
    ("0912345678", "0912345678"), ("0912 345 678", "0912345678"), ("+84 912 345 678", "0912345678"),
    ("84912345678", "0912345678"), ("038.123.4567", "0381234567"), ("070-123-4567", "0701234567"),
])
def test_vietnamese_mobile_numbers_are_accepted_and_written_one_way(typed, kept):
    assert normalised_mobile(typed) == kept


@pytest.mark.parametrize("typed", ["", "091234567", "09123456789", "0212345678", "0412345678",
                                   "1912345678", "+1 912 345 678", "0912a45678", "024 3825 1234"])
def test_other_numbers_are_refused(typed):
    assert normalised_mobile(typed) is None


@pytest.mark.parametrize("typed, kept", [("lan.nguyen@Example.VN", "lan.nguyen@example.vn"),
                                         (" a+b@mail.gov.vn ", "a+b@mail.gov.vn")])
def test_email_addresses(typed, kept):
    assert normalised_email(typed) == kept


@pytest.mark.parametrize("typed", ["lan", "lan@", "@example.vn", "lan@example", "lan nguyen@example.vn",
                                   "lan@@example.vn", "lan@exa mple.vn", "a" * 65 + "@example.vn"])
def test_bad_email_addresses_are_refused(typed):
    assert normalised_email(typed) is None


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
