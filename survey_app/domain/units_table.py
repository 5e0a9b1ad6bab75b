"""The officers' units table: units grouped with their siblings (a rank only means something
among siblings), each group sorted by the column the reader chose.

Rows are units of the scores document (``services.scores.period_scores``), which lists parents
before children.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survey_app.domain.collation import vietnamese_key

# Column -> the direction a first click sorts in: the best units first.
SORT_COLUMNS: dict[str, bool] = {"rank": False, "index": True, "n": True, "name": False}
DEFAULT_SORT = "rank"
ASCENDING, DESCENDING = "asc", "desc"


class SortProblem(ValueError):
    pass


@dataclass(frozen=True)
class TableOrder:
    column: str = DEFAULT_SORT
    descending: bool = SORT_COLUMNS[DEFAULT_SORT]

    @property
    def order(self) -> str:
        return DESCENDING if self.descending else ASCENDING

    def toggled(self, column: str) -> TableOrder:
        """Where a click on ``column``'s header leads: the other direction of the column shown,
        or a new column in its natural direction."""
        if column == self.column:
            return TableOrder(column, not self.descending)
        return TableOrder(column, SORT_COLUMNS[column])


def parse_order(sort: str | None, order: str | None) -> TableOrder:
    column = sort or DEFAULT_SORT
    if column not in SORT_COLUMNS:
        raise SortProblem(column)
    if order in (None, ""):
        return TableOrder(column, SORT_COLUMNS[column])
    if order not in (ASCENDING, DESCENDING):
        raise SortProblem(order)
    return TableOrder(column, order == DESCENDING)


@dataclass(frozen=True)
class Group:
    parent: str | None          # the parent's code; None for the top of the table
    rows: list[dict[str, Any]]


def sibling_groups(units: list[dict[str, Any]]) -> list[Group]:
    """Units with the same parent together; the units whose parent is not listed (the top of the
    reader's scope) form the first group. Groups follow the order of their parents."""
    listed = {unit["unit"] for unit in units}
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for unit in units:
        parent = unit["parent"] if unit["parent"] in listed else None
        groups.setdefault(parent, []).append(unit)
    return [Group(parent, rows) for parent, rows in groups.items()]


def sort_rows(rows: list[dict[str, Any]], order: TableOrder) -> list[dict[str, Any]]:
    """Rows with the value missing (no rank, no index) come last whichever the direction; ties
    go by name."""
    present = [row for row in rows if _value(row, order.column) is not None]
    missing = [row for row in rows if _value(row, order.column) is None]
    by_name = sorted(present, key=lambda row: vietnamese_key(row["name"]))
    ordered = sorted(by_name, key=lambda row: _value(row, order.column), reverse=order.descending)
    return ordered + sorted(missing, key=lambda row: vietnamese_key(row["name"]))


def _value(row: dict[str, Any], column: str) -> Any:
    if column == "name":
        return vietnamese_key(row["name"])
    return row[column]
