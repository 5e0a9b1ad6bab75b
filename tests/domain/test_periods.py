from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from survey_app.domain.periods import Period, period_of

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_new_year_response_in_hanoi_time_belongs_to_the_new_year():
    # 00:30 on 1 Jan in Vietnam is still 31 Dec in UTC, where it is stored.
    submitted = datetime(2026, 1, 1, 0, 30, tzinfo=HCM)
    stored = submitted.astimezone(UTC)
    assert stored == datetime(2025, 12, 31, 17, 30, tzinfo=UTC)

    low, high = Period(date(2026, 1, 1), date(2026, 12, 31)).utc_bounds(HCM)
    assert low <= stored < high
    low_2025, high_2025 = Period(date(2025, 1, 1), date(2025, 12, 31)).utc_bounds(HCM)
    assert not (low_2025 <= stored < high_2025)


def test_utc_bounds_are_local_midnights_half_open_and_in_utc():
    low, high = Period(date(2026, 1, 1), date(2026, 12, 31)).utc_bounds(HCM)
    assert low == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    assert high == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert low.utcoffset() == timedelta(0) and high.utcoffset() == timedelta(0)

    # Exactly local midnight belongs to the day that starts then, not the one that ends.
    midnight = datetime(2026, 3, 2, 0, 0, tzinfo=HCM).astimezone(UTC)
    march_1 = Period(date(2026, 3, 1), date(2026, 3, 1)).utc_bounds(HCM)
    march_2 = Period(date(2026, 3, 2), date(2026, 3, 2)).utc_bounds(HCM)
    assert not (march_1[0] <= midnight < march_1[1])
    assert march_2[0] <= midnight < march_2[1]


def test_days_tile_time_and_follow_dst_where_midnight_moves():
    # Chile switches clocks at local midnight: 6 Apr 2024 lasted 25 h, 8 Sep 2024 lasted 23 h.
    santiago = ZoneInfo("America/Santiago")
    hours = {}
    day = date(2024, 4, 1)
    while day <= date(2024, 9, 30):
        low, high = period_of("day", day).utc_bounds(santiago)
        next_low, _ = period_of("day", day + timedelta(days=1)).utc_bounds(santiago)
        assert high == next_low  # no gap, no overlap
        hours[day] = (high - low) / timedelta(hours=1)
        day += timedelta(days=1)
    assert hours[date(2024, 4, 6)] == 25
    assert hours[date(2024, 9, 8)] == 23
    assert {h for d, h in hours.items() if d not in (date(2024, 4, 6), date(2024, 9, 8))} == {24}


def test_start_after_end_is_rejected_with_both_dates_in_the_message():
    with pytest.raises(ValueError, match="2026-02-01.*after.*2026-01-31"):
        Period(date(2026, 2, 1), date(2026, 1, 31))


def test_datetime_instead_of_date_is_rejected():
    with pytest.raises(TypeError, match="start"):
        Period(datetime(2026, 1, 1, 12, 0), date(2026, 1, 31))


def test_single_day_period_is_valid():
    assert Period(date(2026, 1, 1), date(2026, 1, 1)).days == 1


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        ("day", date(2024, 2, 29), date(2024, 2, 29), date(2024, 2, 29)),
        ("month", date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("month", date(2023, 2, 10), date(2023, 2, 1), date(2023, 2, 28)),
        ("month", date(2100, 2, 10), date(2100, 2, 1), date(2100, 2, 28)),  # century, not leap
        ("month", date(2000, 2, 10), date(2000, 2, 1), date(2000, 2, 29)),  # divisible by 400
        ("month", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        ("quarter", date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
        ("quarter", date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        ("quarter", date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30)),
        ("quarter", date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30)),
        ("quarter", date(2026, 10, 1), date(2026, 10, 1), date(2026, 12, 31)),
        ("quarter", date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31)),
        ("year", date(2024, 7, 15), date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_period_of(kind, day, start, end):
    assert period_of(kind, day) == Period(start, end)


def test_period_of_unknown_kind():
    with pytest.raises(ValueError, match="week"):
        period_of("week", date(2026, 1, 1))


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # months
        (Period(date(2024, 3, 1), date(2024, 3, 31)), Period(date(2024, 2, 1), date(2024, 2, 29))),
        (Period(date(2023, 3, 1), date(2023, 3, 31)), Period(date(2023, 2, 1), date(2023, 2, 28))),
        (Period(date(2024, 2, 1), date(2024, 2, 29)), Period(date(2024, 1, 1), date(2024, 1, 31))),
        (Period(date(2026, 1, 1), date(2026, 1, 31)), Period(date(2025, 12, 1), date(2025, 12, 31))),
        # quarters
        (Period(date(2026, 1, 1), date(2026, 3, 31)), Period(date(2025, 10, 1), date(2025, 12, 31))),
        (Period(date(2026, 7, 1), date(2026, 9, 30)), Period(date(2026, 4, 1), date(2026, 6, 30))),
        (Period(date(2024, 4, 1), date(2024, 6, 30)), Period(date(2024, 1, 1), date(2024, 3, 31))),
        # years
        (Period(date(2025, 1, 1), date(2025, 12, 31)), Period(date(2024, 1, 1), date(2024, 12, 31))),
        # a single day, across a leap day
        (Period(date(2024, 3, 1), date(2024, 3, 1)), Period(date(2024, 2, 29), date(2024, 2, 29))),
        # arbitrary 10-day ranges: the 10 days just before
        (Period(date(2026, 3, 1), date(2026, 3, 10)), Period(date(2026, 2, 19), date(2026, 2, 28))),
        (Period(date(2024, 3, 1), date(2024, 3, 10)), Period(date(2024, 2, 20), date(2024, 2, 29))),
        (Period(date(2026, 1, 5), date(2026, 1, 14)), Period(date(2025, 12, 26), date(2026, 1, 4))),
        # almost-calendar ranges are plain day counts
        (Period(date(2024, 2, 1), date(2024, 2, 28)), Period(date(2024, 1, 4), date(2024, 1, 31))),
        (Period(date(2026, 2, 2), date(2026, 3, 1)), Period(date(2026, 1, 5), date(2026, 2, 1))),
        # two months, and a quarter that is not a calendar quarter (Feb-Apr): day counts too
        (Period(date(2024, 1, 1), date(2024, 2, 29)), Period(date(2023, 11, 2), date(2023, 12, 31))),
        (Period(date(2026, 2, 1), date(2026, 4, 30)), Period(date(2025, 11, 4), date(2026, 1, 31))),
    ],
)
def test_previous(period, expected):
    assert period.previous() == expected


def test_previous_day_range_has_the_same_length_and_ends_the_day_before():
    period = Period(date(2026, 5, 20), date(2026, 5, 29))
    previous = period.previous()
    assert previous.days == period.days == 10
    assert previous.end == date(2026, 5, 19)


@pytest.mark.parametrize("kind", ["day", "month", "quarter", "year"])
def test_previous_of_every_calendar_period_is_the_one_containing_the_day_before(kind):
    day = date(2023, 1, 1)
    while day <= date(2025, 12, 31):
        period = period_of(kind, day)
        assert period.start <= day <= period.end
        assert period.previous() == period_of(kind, period.start - timedelta(days=1))
        day += timedelta(days=1)
