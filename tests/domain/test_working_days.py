"""Deadlines in working days: weekends, Vietnam's public holidays (Tết) and configured days off."""

from datetime import date

import holidays

from survey_app.domain.working_days import WorkingCalendar


def test_a_case_received_the_friday_before_tet_is_due_after_the_holiday():
    # Tết 2026: the holidays package gives Mon 16 to Fri 20 February as public holidays.
    tet = sorted(d for d, name in holidays.country_holidays("VN", years=2026).items() if "Lunar New Year" in name)
    assert tet[0] == date(2026, 2, 16) and tet[-1] == date(2026, 2, 20)
    friday = date(2026, 2, 13)
    assert friday.weekday() == 4
    calendar = WorkingCalendar()
    # One working day after that Friday: not Monday the 16th (Tết) but Monday the 23rd.
    assert calendar.add(friday, 1) == date(2026, 2, 23)
    # Ten working days: 23-27 February and 2-6 March.
    assert calendar.add(friday, 10) == date(2026, 3, 6)
    assert calendar.between(friday, date(2026, 2, 22)) == 0


def test_weekends_and_configured_days_off_are_skipped():
    calendar = WorkingCalendar()
    assert calendar.add(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday -> Monday
    assert calendar.add(date(2026, 3, 9), 1) == date(2026, 3, 10)
    closed = WorkingCalendar.with_days_off(["2026-03-10", "2026-03-11"])
    assert closed.add(date(2026, 3, 9), 1) == date(2026, 3, 12)
    assert closed.between(date(2026, 3, 9), date(2026, 3, 13)) == 2
    assert not closed.is_working_day(date(2026, 9, 2))  # National Day
