"""Volume rows (domain/volumes.py): reading them, overlaps, and their share of a period."""

from __future__ import annotations

from datetime import date

import pytest

from survey_app.domain.periods import Period
from survey_app.domain.volumes import (
    VolumeRow,
    overlap_problems,
    period_volume,
    volume_rows,
)

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def record(unit="STP", channel="kiosk", start="2026-03-01", end="2026-03-31", count="310"):
    return {"unit": unit, "channel": channel, "period_start": start, "period_end": end, "count": count}


def test_reads_a_good_row():
    rows, problems = volume_rows([(2, record(count=" 310 "))], {"STP"})
    assert problems == []
    assert rows == [VolumeRow(2, "STP", "kiosk", date(2026, 3, 1), date(2026, 3, 31), 310)]


@pytest.mark.parametrize(("cells", "message"), [
    ({"unit": "NOPE"}, "line 7: unknown unit 'NOPE'"),
    ({"channel": "fax"}, "line 7: channel 'fax' is not one of link, invitation, kiosk, paper, import"),
    ({"start": "1/3/2026"}, "line 7: period_start '1/3/2026' is not a date YYYY-MM-DD"),
    ({"end": "20260331"}, "line 7: period_end '20260331' is not a date YYYY-MM-DD"),
    ({"end": "2026-02-30"}, "line 7: period_end '2026-02-30' is not a date YYYY-MM-DD"),
    ({"end": "2026-02-28"}, "line 7: period_end 2026-02-28 is before period_start 2026-03-01"),
    ({"count": "-1"}, "line 7: count '-1' is not a whole number from 0 to 2147483647"),
    ({"count": "2.5"}, "line 7: count '2.5' is not a whole number from 0 to 2147483647"),
    ({"count": ""}, "line 7: count '' is not a whole number from 0 to 2147483647"),
    ({"count": "2147483648"}, "line 7: count '2147483648' is not a whole number from 0 to 2147483647"),
])
def test_every_bad_cell_is_named_with_its_line(cells, message):
    rows, problems = volume_rows([(7, record(**cells))], {"STP"})
    assert (rows, problems) == ([], [message])


def row(line, start, end, unit="STP", channel="kiosk", count=10):
    return VolumeRow(line, unit, channel, start, end, count)


def test_overlapping_periods_of_one_cell_are_refused():
    rows = [
        row(2, date(2026, 1, 1), date(2026, 3, 31)),
        row(3, date(2026, 3, 1), date(2026, 3, 31)),                 # inside line 2
        row(4, date(2026, 1, 1), date(2026, 3, 31)),                 # line 2 again
        row(5, date(2026, 3, 1), date(2026, 3, 31), channel="link"),  # another cell
        row(6, date(2026, 4, 1), date(2026, 4, 30)),                 # next to line 2: fine
    ]
    assert overlap_problems(rows, {}) == [
        "line 3: STP kiosk 2026-03-01..2026-03-31 overlaps 2026-01-01..2026-03-31 on line 2",
        "line 4: STP kiosk 2026-01-01..2026-03-31 is already on line 2",
    ]


def test_a_stored_period_may_be_replaced_but_not_overlapped():
    stored = {("STP", "kiosk"): [(date(2026, 3, 1), date(2026, 3, 31))]}
    assert overlap_problems([row(2, date(2026, 3, 1), date(2026, 3, 31))], stored) == []
    assert overlap_problems([row(2, date(2026, 3, 15), date(2026, 4, 15))], stored) == [
        "line 2: STP kiosk 2026-03-15..2026-04-15 overlaps the stored volume of 2026-03-01..2026-03-31"]


def test_a_row_inside_the_period_counts_whole():
    assert period_volume([(date(2026, 3, 1), date(2026, 3, 31), 310)], MARCH) == (310, True)


def test_rows_that_partly_overlap_are_prorated_by_days():
    # The first quarter (90 days) and April, for March: 31/90 of the quarter, none of April.
    volume, covered = period_volume([(date(2026, 1, 1), date(2026, 3, 31), 900),
                                     (date(2026, 4, 1), date(2026, 4, 30), 50)], MARCH)
    assert (volume, covered) == (pytest.approx(900 * 31 / 90), True)
    # Two halves of a month that straddle the period's ends.
    volume, covered = period_volume([(date(2026, 2, 15), date(2026, 3, 15), 29),
                                     (date(2026, 3, 16), date(2026, 4, 14), 60)], MARCH)
    assert (volume, covered) == (pytest.approx(15 + 60 * 16 / 30), True)


def test_a_missing_day_leaves_the_period_uncovered():
    assert period_volume([(date(2026, 3, 1), date(2026, 3, 30), 300)], MARCH) == (300, False)
    assert period_volume([(date(2026, 3, 2), date(2026, 4, 30), 60)], MARCH)[1] is False
    assert period_volume([], MARCH) == (0, False)
