"""Units and their tree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.csv_files import CsvError, read_records
from survey_app.domain.unit_tree import UNIT_COLUMNS, tree_problems, unit_rows
from survey_app.models import Unit


class UnknownUnit(LookupError):
    """No unit has the code asked for."""


@dataclass(frozen=True)
class Subtree:
    """A unit and every unit below it, or every unit (``root`` None), from one read of the units."""

    units: tuple[Unit, ...]          # every unit, by code
    root: Unit | None                # None: every unit
    ids: frozenset[int] | None       # the members' ids; None for every unit (no restriction)

    @property
    def members(self) -> list[Unit]:
        return list(self.units) if self.ids is None else [u for u in self.units if u.id in self.ids]


def subtree(session: Session, unit_code: str | None) -> Subtree:
    """The unit ``unit_code`` and every unit below it; every unit for None. Raises UnknownUnit."""
    units = all_units(session)
    if unit_code is None:
        return Subtree(tuple(units), None, None)
    root = next((u for u in units if u.code == unit_code), None)
    if root is None:
        raise UnknownUnit(unit_code)
    return Subtree(tuple(units), root, frozenset(descendant_ids(units)[root.id]))


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code))


def all_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.code)))


def import_units(session: Session, data: bytes) -> tuple[int, int]:
    """Upsert units from a ``code,name,parent`` CSV; all or nothing.

    Returns (created, updated); raises CsvError listing every bad line, having changed nothing.
    """
    _, records = read_records(data, expected=UNIT_COLUMNS, required=UNIT_COLUMNS)
    rows, problems = unit_rows(records)
    existing = {unit.code: unit for unit in all_units(session)}
    existing_parents = {code: (u.parent.code if u.parent else None) for code, u in existing.items()}
    problems += tree_problems(existing_parents, rows)
    if problems:
        raise CsvError(sorted(problems, key=_line_number))

    created = updated = 0
    by_code = dict(existing)
    for row in rows:  # first every unit, so that a parent may come after its child in the file
        unit = by_code.get(row.code)
        if unit is None:
            unit = by_code[row.code] = Unit(code=row.code, name=row.name)
            session.add(unit)
            created += 1
        elif unit.name != row.name or existing_parents[row.code] != row.parent:
            updated += 1
        unit.name = row.name
    for row in rows:
        by_code[row.code].parent = by_code[row.parent] if row.parent else None
    session.flush()
    return created, updated


def _line_number(problem: str) -> int:
    return int(problem.split(":")[0].removeprefix("line "))


def descendant_ids(units: list[Unit]) -> dict[int, set[int]]:
    """For every unit, the ids of itself and every unit below it."""
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id)
    result: dict[int, set[int]] = {}

    def collect(unit_id: int) -> set[int]:
        if unit_id not in result:
            ids = {unit_id}
            for child in children.get(unit_id, []):
                ids |= collect(child)
            result[unit_id] = ids
        return result[unit_id]

    for unit in units:
        collect(unit.id)
    return result
