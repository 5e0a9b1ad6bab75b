"""Checking a units file (code,name,parent) and the tree it would make."""

from __future__ import annotations

import pytest

from survey_app.domain.unit_tree import UnitRow, tree_problems, unit_rows


def records(*rows: tuple[str, str, str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a units file; the header is line 1, so the first row is line 2."""
    return [(line, {"code": code, "name": name, "parent": parent})
            for line, (code, name, parent) in enumerate(rows, start=2)]


# ---------------------------------------------------------------- unit_rows


def test_rows_are_read_and_trimmed():
    rows, problems = unit_rows(records(
        ("HCM", "Thành phố Hồ Chí Minh", ""),
        (" Q1 ", "  UBND Quận 1 ", " HCM "),
        ("P.BN-1_a", "Phường Bến Nghé", "Q1"),
    ))
    assert problems == []
    assert rows == [
        UnitRow(2, "HCM", "Thành phố Hồ Chí Minh", None),
        UnitRow(3, "Q1", "UBND Quận 1", "HCM"),
        UnitRow(4, "P.BN-1_a", "Phường Bến Nghé", "Q1"),
    ]


def test_duplicate_code_in_the_file():
    rows, problems = unit_rows(records(
        ("HCM", "Thành phố Hồ Chí Minh", ""),
        ("Q1", "UBND Quận 1", "HCM"),
        ("Q1", "UBND Quận Một", "HCM"),
    ))
    assert [row.line for row in rows] == [2, 3]
    assert len(problems) == 1
    assert problems[0].startswith("line 4: ") and "Q1" in problems[0] and "line 3" in problems[0]


@pytest.mark.parametrize("code", ["", "Quận 1", "-Q1", "_Q1", "Q1/2", "Phường", "Q" * 65])
def test_bad_code(code):
    rows, problems = unit_rows(records(("HCM", "Thành phố Hồ Chí Minh", ""), (code, "Một đơn vị", "HCM")))
    assert [row.code for row in rows] == ["HCM"]
    assert len(problems) == 1 and problems[0].startswith("line 3: ")


def test_longest_code_is_64_characters():
    rows, problems = unit_rows(records(("Q" * 64, "Một đơn vị", "")))
    assert problems == [] and rows[0].code == "Q" * 64


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name(name):
    _, problems = unit_rows(records(("HCM", "Thành phố Hồ Chí Minh", ""), ("Q1", name, "HCM")))
    assert len(problems) == 1 and problems[0].startswith("line 3: ") and "Q1" in problems[0]


def test_name_too_long():
    _, problems = unit_rows(records(("Q1", "x" * 256, "")))
    assert len(problems) == 1 and problems[0].startswith("line 2: ")
    assert unit_rows(records(("Q1", "x" * 255, "")))[1] == []


def test_every_row_problem_is_reported():
    _, problems = unit_rows(records(("A B", "Một", ""), ("C", "", ""), ("C", "Hai", "")))
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 4"]


# ---------------------------------------------------------------- tree_problems

EXISTING = {"HCM": None, "Q1": "HCM", "P-BN": "Q1"}  # province > district > ward


def rows(*rows: tuple[str, str | None]) -> list[UnitRow]:
    return [UnitRow(line, code, f"Đơn vị {code}", parent) for line, (code, parent) in enumerate(rows, start=2)]


def test_a_valid_tree():
    assert tree_problems({}, rows(("HCM", None), ("Q1", "HCM"), ("P-BN", "Q1"))) == []


def test_a_parent_may_come_later_in_the_file():
    assert tree_problems({}, rows(("P-BN", "Q1"), ("Q1", "HCM"), ("HCM", None))) == []


def test_a_parent_may_already_exist():
    assert tree_problems(EXISTING, rows(("Q3", "HCM"), ("P-VTS", "Q3"))) == []


def test_moving_a_unit_under_another_branch_is_fine():
    assert tree_problems({**EXISTING, "Q3": "HCM"}, rows(("P-BN", "Q3"))) == []


def test_unknown_parent():
    problems = tree_problems(EXISTING, rows(("Q3", "HCM"), ("P-VTS", "Q5")))
    assert len(problems) == 1
    assert problems[0].startswith("line 3: ") and "'Q5'" in problems[0] and "P-VTS" in problems[0]


def test_a_unit_cannot_be_its_own_parent():
    problems = tree_problems(EXISTING, rows(("Q3", "Q3")))
    assert len(problems) == 1 and problems[0].startswith("line 2: ") and "Q3" in problems[0]


def test_cycle_within_the_file_is_reported_once():
    problems = tree_problems({}, rows(("A", "C"), ("B", "A"), ("C", "B")))
    assert len(problems) == 1
    assert problems[0].startswith("line 2: ")
    assert all(code in problems[0] for code in ("A", "B", "C"))


def test_cycle_made_by_changing_an_existing_units_parent():
    # HCM is the root today; putting it under its own ward closes a loop HCM > Q1 > P-BN > HCM.
    problems = tree_problems(EXISTING, rows(("HCM", "P-BN")))
    assert len(problems) == 1
    assert problems[0].startswith("line 2: HCM ")
    assert all(code in problems[0] for code in ("Q1", "P-BN"))


def test_cycle_made_by_two_rows_that_are_each_fine_alone():
    existing = {"A": None, "B": None}
    assert tree_problems(existing, rows(("A", "B"))) == []
    assert tree_problems(existing, rows(("B", "A"))) == []
    problems = tree_problems(existing, rows(("A", "B"), ("B", "A")))
    assert len(problems) == 1 and problems[0].startswith("line 2: ")


def test_a_unit_below_a_cycle_is_not_blamed_for_it():
    # X hangs below the loop A > B > A but is not on it: the loop is reported on A's line.
    problems = tree_problems({}, rows(("X", "A"), ("A", "B"), ("B", "A")))
    assert len(problems) == 1
    assert problems[0].startswith("line 3: A ")
    assert "X" not in problems[0]


def test_unknown_parent_and_cycle_together():
    problems = tree_problems(EXISTING, rows(("Q3", "KHONGCO"), ("HCM", "Q1")))
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3"]
