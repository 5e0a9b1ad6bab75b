"""Checking a units file (``code,name,parent``) against the tree it will be merged into."""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey_app.domain.text import text_problem

UNIT_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
UNIT_COLUMNS = ("code", "name", "parent")


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    parent: str | None


def unit_rows(records: list[tuple[int, dict[str, str]]]) -> tuple[list[UnitRow], list[str]]:
    """Turn CSV records into rows; return the rows and every problem found on its own."""
    rows: list[UnitRow] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for line, record in records:
        code = (record.get("code") or "").strip()
        name = (record.get("name") or "").strip()
        parent = (record.get("parent") or "").strip() or None
        if not UNIT_CODE_PATTERN.match(code):
            problems.append(f"line {line}: code '{code}' must be 1-64 letters, digits, '_', '.' or '-'")
            continue
        if not name:
            problems.append(f"line {line}: unit {code} has no name")
        elif len(name) > 255:
            problems.append(f"line {line}: the name of {code} is longer than 255 characters")
        elif text_problem(name):
            problems.append(f"line {line}: the name of {code} {text_problem(name)}")
        if code in first_line:
            problems.append(f"line {line}: unit {code} is already on line {first_line[code]}")
            continue
        first_line[code] = line
        rows.append(UnitRow(line, code, name, parent))
    return rows, problems


def tree_problems(existing_parents: dict[str, str | None], rows: list[UnitRow]) -> list[str]:
    """Unknown parents and cycles in the tree that results from upserting ``rows``.

    ``existing_parents`` maps every unit already stored to its parent's code.
    """
    parents = dict(existing_parents)
    parents.update({row.code: row.parent for row in rows})
    problems = []
    for row in rows:
        if row.parent is not None and row.parent not in parents:
            problems.append(f"line {row.line}: parent '{row.parent}' of {row.code} is not a known unit")
    reported: set[str] = set()
    for row in rows:
        # Walk up from each imported unit; meeting a unit twice means a cycle.
        path: list[str] = []
        code: str | None = row.code
        while code is not None and code in parents and code not in path:
            path.append(code)
            code = parents[code]
        # Report a cycle from a unit on it, not from one that merely hangs below it.
        if code == row.code and code not in reported:
            cycle = path[path.index(code):] + [code]
            reported.update(cycle)
            problems.append(f"line {row.line}: {row.code} would be its own ancestor: {' -> '.join(cycle)}")
    return problems
