"""When a subscription is due (domain/subscriptions.py), worked out on a calendar."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from survey_app.domain.periods import Period
from survey_app.domain.subscriptions import Due, due_now, is_due

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def test_the_digest_is_due_from_monday_seven_o_clock():
    # Monday 7 December 2026.
    assert due_now("digest", None, at("2026-12-07 06:59")) == Due("2026-11-30", date(2026, 11, 30), None)
    assert due_now("digest", None, at("2026-12-07 07:00")) == Due("2026-12-07", date(2026, 12, 7), None)
    assert due_now("digest", None, at("2026-12-13 23:00")).key == "2026-12-07"


def test_reports_are_due_on_the_first_day_after_their_period():
    assert due_now("report", "month", at("2026-12-01 07:00")) == Due(
        "2026-11", date(2026, 12, 1), Period(date(2026, 11, 1), date(2026, 11, 30)))
    assert due_now("report", "month", at("2026-12-01 06:00")).key == "2026-10"
    assert due_now("report", "quarter", at("2026-10-01 08:00")).key == "2026-Q3"
    assert due_now("report", "quarter", at("2026-12-20 08:00")).period == Period(date(2026, 7, 1), date(2026, 9, 30))
    with pytest.raises(ValueError):
        due_now("report", "week", at("2026-12-01 08:00"))


def test_a_missed_run_is_caught_up_once():
    due = due_now("digest", None, at("2026-12-09 10:00"))
    assert is_due(None, due) and is_due("2026-11-23", due)  # two Mondays missed: one digest, this week's
    assert not is_due("2026-12-07", due)
    assert is_due("2026-09", due_now("report", "month", at("2026-12-05 08:00")))
    assert not is_due("2026-11", due_now("report", "month", at("2026-12-05 08:00")))
