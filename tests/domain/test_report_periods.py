"""The periods reports start from and look back over (additions to domain/periods.py)."""

from datetime import date

import pytest

from survey_app.domain.periods import Period, calendar_kind, last_full_quarter, quarters_ending


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 4, 1), Period(date(2026, 1, 1), date(2026, 3, 31))),
    (date(2026, 3, 31), Period(date(2025, 10, 1), date(2025, 12, 31))),  # Q1 has not ended yet
    (date(2026, 1, 1), Period(date(2025, 10, 1), date(2025, 12, 31))),
    (date(2026, 12, 31), Period(date(2026, 7, 1), date(2026, 9, 30))),
    (date(2024, 5, 15), Period(date(2024, 1, 1), date(2024, 3, 31))),
])
def test_the_last_full_quarter_is_the_one_before_today_s(today, expected):
    assert last_full_quarter(today) == expected


def test_eight_quarters_end_with_the_one_holding_the_period_s_end_oldest_first():
    quarters = quarters_ending(Period(date(2026, 1, 1), date(2026, 3, 31)), 8)
    assert [(q.start, q.end) for q in quarters] == [
        (date(2024, 4, 1), date(2024, 6, 30)), (date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 10, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 3, 31)),
    ]
    # A custom range ending in mid-May ends with the second quarter.
    assert quarters_ending(Period(date(2026, 2, 10), date(2026, 5, 15)), 2) == [
        Period(date(2026, 1, 1), date(2026, 3, 31)), Period(date(2026, 4, 1), date(2026, 6, 30))]
    assert quarters_ending(Period(date(2026, 2, 10), date(2026, 2, 10)), 1) == [
        Period(date(2026, 1, 1), date(2026, 3, 31))]


@pytest.mark.parametrize(("start", "end", "kind"), [
    (date(2026, 1, 1), date(2026, 12, 31), "year"),
    (date(2026, 4, 1), date(2026, 6, 30), "quarter"),
    (date(2026, 2, 1), date(2026, 2, 28), "month"),
    (date(2024, 2, 1), date(2024, 2, 29), "month"),
    (date(2026, 2, 1), date(2026, 2, 27), None),
    (date(2026, 2, 1), date(2026, 3, 31), None),   # two months, not a quarter
    (date(2026, 3, 1), date(2026, 5, 31), None),   # three months across quarters
    (date(2026, 3, 1), date(2026, 3, 1), None),
])
def test_calendar_kind_names_a_whole_month_quarter_or_year_only(start, end, kind):
    assert calendar_kind(Period(start, end)) == kind
