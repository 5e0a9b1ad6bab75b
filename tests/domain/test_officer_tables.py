"""Decisions behind the officers' pages: the period asked for, rank-change cases, Vietnamese
alphabetical order, the units table's groups and order, colour bands."""

from datetime import date, timedelta

import pytest

from survey_app.domain.bands import band
from survey_app.domain.collation import vietnamese_key
from survey_app.domain.periods import Period
from survey_app.domain.rank_change import RankChange, rank_change
from survey_app.domain.report_period import (
    PeriodProblem,
    following,
    name_of,
    parse_period,
    period_from_code,
    recent_periods,
)
from survey_app.domain.units_table import (
    SortProblem,
    TableOrder,
    parse_order,
    sibling_groups,
    sort_rows,
)

TODAY = date(2026, 5, 20)


# ------------------------------------------------------------------ periods

def test_no_dates_means_the_last_full_quarter():
    assert parse_period(None, None, today=TODAY) == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert parse_period("", " ", today=TODAY) == Period(date(2026, 1, 1), date(2026, 3, 31))


def test_dates_are_read_inclusive():
    assert parse_period("2026-02-01", "2026-02-28", today=TODAY) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert parse_period("2026-02-01", "2026-02-01", today=TODAY).days == 1


@pytest.mark.parametrize(("raw_from", "raw_to", "reason"), [
    ("2026-01-01", None, "missing"),
    (None, "2026-01-01", "missing"),
    ("2026-02-30", "2026-03-01", "format"),
    ("01/02/2026", "2026-03-01", "format"),
    ("20260101", "2026-03-01", "format"),       # Python would read this one; the address format is YYYY-MM-DD
    ("2026-W01-1", "2026-03-01", "format"),
    ("2026-１-01", "2026-03-01", "format"),     # a full-width digit
    ("2026-03-02", "2026-03-01", "order"),
    ("0001-01-01", "0001-12-31", "range"),      # would have no previous period
    ("1999-12-31", "2000-01-31", "range"),
    ("2000-01-01", "2012-01-01", "range"),      # longer than ten years
    ("2099-01-01", "2100-01-01", "range"),
])
def test_bad_dates_say_what_is_wrong(raw_from, raw_to, reason):
    with pytest.raises(PeriodProblem) as problem:
        parse_period(raw_from, raw_to, today=TODAY)
    assert problem.value.reason == reason


@pytest.mark.parametrize(("code", "period"), [
    ("2026", Period(date(2026, 1, 1), date(2026, 12, 31))),
    ("2026-Q1", Period(date(2026, 1, 1), date(2026, 3, 31))),
    ("2026-Q4", Period(date(2026, 10, 1), date(2026, 12, 31))),
    ("2024-02", Period(date(2024, 2, 1), date(2024, 2, 29))),
    ("2026-12", Period(date(2026, 12, 1), date(2026, 12, 31))),
])
def test_picker_codes_name_calendar_periods(code, period):
    assert period_from_code(code) == period
    assert name_of(period).code == code


@pytest.mark.parametrize("code", ["2026-Q5", "2026-Q0", "2026-13", "2026-00", "26", "2026-1", "x", "", "1999"])
def test_bad_picker_codes_are_problems(code):
    with pytest.raises(PeriodProblem):
        period_from_code(code)


def test_period_names():
    assert name_of(Period(date(2026, 4, 1), date(2026, 6, 30))).__dict__ == {
        "kind": "quarter", "year": 2026, "number": 2, "code": "2026-Q2"}
    assert name_of(Period(date(2026, 4, 1), date(2026, 4, 30))).number == 4
    assert name_of(Period(date(2026, 4, 1), date(2026, 4, 29))).kind == "range"


def test_the_picker_lists_recent_periods_newest_first():
    recent = recent_periods(TODAY, quarters=3, months=4, years=2)
    assert [name_of(p).code for p in recent["quarter"]] == ["2026-Q2", "2026-Q1", "2025-Q4"]
    assert [name_of(p).code for p in recent["month"]] == ["2026-05", "2026-04", "2026-03", "2026-02"]
    assert [name_of(p).code for p in recent["year"]] == ["2026", "2025"]


# ------------------------------------------------------------------ rank change

@pytest.mark.parametrize(("rank", "previous", "expected"), [
    (2, 5, RankChange("up", 3)),
    (5, 3, RankChange("down", 2)),
    (4, 4, RankChange("same", 0)),
    (1, None, RankChange("new", 0)),
    (None, 3, RankChange("unranked", 0)),
    (None, None, RankChange("unranked", 0)),
])
def test_rank_change_cases(rank, previous, expected):
    assert rank_change(rank, previous) == expected


# ------------------------------------------------------------------ Vietnamese order

def test_vietnamese_alphabetical_order():
    names = ["Xã Đắk Nông", "Ủy ban", "Sở Y tế", "Dân", "Đông", "Ăn", "An", "Ân", "Bạ", "Bá", "Bà",
             "Ba", "Ơ", "Ô", "O", "Ư", "Uy", "Z"]
    assert sorted(names, key=vietnamese_key) == [
        "An", "Ăn", "Ân", "Ba", "Bà", "Bá", "Bạ", "Dân", "Đông", "O", "Ô", "Ơ", "Sở Y tế",
        "Uy", "Ủy ban", "Ư", "Xã Đắk Nông", "Z"]
    # Composed and decomposed spellings sort together.
    assert vietnamese_key("Sở")[:2] == vietnamese_key("So\u031b\u0309")[:2]


# ------------------------------------------------------------------ the units table

def unit(code, parent, name, rank=None, index=None, n=0):
    return {"unit": code, "parent": parent, "name": name, "rank": rank, "index": index, "n": n}


TREE = [
    unit("TINH", None, "Tỉnh", None, 80.0, 100),
    unit("SO", "TINH", "Các sở", 2, 78.0, 60),
    unit("SXD", "SO", "Sở Xây dựng", 2, 85.0, 30),
    unit("STP", "SO", "Sở Tư pháp", 1, 90.0, 35),
    unit("SNV", "SO", "Sở Nội vụ", None, 95.0, 5),
    unit("SYT", "SO", "Sở Y tế", 2, 85.0, 40),
    unit("SCT", "SO", "Sở Công Thương", None, None, 0),
    unit("XA", "TINH", "Các xã", 1, 82.0, 40),
    unit("X1", "XA", "Xã Đông", 1, 82.0, 40),
]


def test_units_are_grouped_with_their_siblings_in_tree_order():
    groups = sibling_groups(TREE)
    assert [(g.parent, [r["unit"] for r in g.rows]) for g in groups] == [
        (None, ["TINH"]), ("TINH", ["SO", "XA"]), ("SO", ["SXD", "STP", "SNV", "SYT", "SCT"]), ("XA", ["X1"])]
    # A reader whose scope starts at SO: SO heads the table.
    assert [g.parent for g in sibling_groups(TREE[1:7])] == [None, "SO"]


def codes(rows):
    return [row["unit"] for row in rows]


def test_sorting_within_a_group():
    rows = sibling_groups(TREE)[2].rows
    assert codes(sort_rows(rows, parse_order(None, None))) == ["STP", "SXD", "SYT", "SCT", "SNV"]
    assert codes(sort_rows(rows, parse_order("rank", "desc"))) == ["SXD", "SYT", "STP", "SCT", "SNV"]
    assert codes(sort_rows(rows, parse_order("index", None))) == ["SNV", "STP", "SXD", "SYT", "SCT"]
    assert codes(sort_rows(rows, parse_order("index", "asc"))) == ["SXD", "SYT", "STP", "SNV", "SCT"]
    assert codes(sort_rows(rows, parse_order("n", None))) == ["SYT", "STP", "SXD", "SNV", "SCT"]
    assert codes(sort_rows(rows, parse_order("name", None))) == ["SCT", "SNV", "STP", "SXD", "SYT"]
    assert codes(sort_rows(rows, parse_order("name", "desc"))) == ["SYT", "SXD", "STP", "SNV", "SCT"]


def test_header_links_toggle_the_shown_column_and_start_others_in_their_natural_direction():
    shown = parse_order("index", None)
    assert shown == TableOrder("index", True)
    assert shown.toggled("index") == TableOrder("index", False)
    assert shown.toggled("name") == TableOrder("name", False)
    assert shown.toggled("n").order == "desc"
    assert TableOrder("rank", False).toggled("rank").order == "desc"


@pytest.mark.parametrize(("sort", "order"), [("score", None), ("index", "up"), ("rank", "ASC")])
def test_unknown_sorting_is_a_problem(sort, order):
    with pytest.raises(SortProblem):
        parse_order(sort, order)


@pytest.mark.parametrize(("index", "name"), [
    (None, "none"), (100.0, "a"), (90.0, "a"), (89.99, "b"), (80.0, "b"), (79.9, "c"), (70.0, "c"),
    (69.9, "d"), (0.0, "d")])
def test_bands(index, name):
    assert band(index) == name


@pytest.mark.parametrize("period", [
    Period(date(2026, 1, 1), date(2026, 3, 31)), Period(date(2026, 2, 1), date(2026, 2, 28)),
    Period(date(2025, 1, 1), date(2025, 12, 31)), Period(date(2026, 2, 10), date(2026, 2, 19)),
])
def test_following_undoes_previous(period):
    assert following(period.previous()) == period
    assert following(period).previous() == period
    assert following(period).start == period.end + timedelta(days=1)
