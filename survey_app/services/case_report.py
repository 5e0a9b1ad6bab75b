"""The figures of cases for a period and a set of units: ``/reports/cases``, the PDF section,
the workbook sheet and the ``cases`` object of ``scores --format json`` all read them here.

A unit's figures pool its cases and those of every unit below it, as its indices do. Only
confirmed cases count (an unconfirmed request never reached the unit). The period is that of
the day each case was received.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.case_figures import CaseFigures, CaseRow, case_figures, pooled
from survey_app.domain.periods import Period
from survey_app.models import Case, Unit
from survey_app.services.units import all_units, descendant_ids


@dataclass(frozen=True)
class UnitCases:
    code: str
    name: str
    parent: str | None
    figures: CaseFigures

    def as_row(self) -> dict:
        return {"unit": self.code, "name": self.name, "parent": self.parent, **self.figures.as_dict()}


def _rows(session: Session, unit_ids: set[int], period: Period, tz: ZoneInfo) -> dict[int, list[CaseRow]]:
    local = lambda moment: moment.astimezone(tz).date() if moment is not None else None  # noqa: E731
    found: dict[int, list[CaseRow]] = defaultdict(list)
    query = select(Case).where(Case.confirmed.is_(True), Case.unit_id.in_(unit_ids),
                               Case.received_on >= period.start, Case.received_on <= period.end)
    for case in session.scalars(query):
        found[case.unit_id].append(CaseRow(
            received_on=case.received_on, acknowledge_by=case.acknowledge_by, answer_by=case.answer_by,
            acknowledged_on=local(case.acknowledged_at), first_answered_on=local(case.first_answered_at),
            cause=case.cause, resolution=case.resolution, rating=case.rating, reopened=case.reopened))
    return found


def units_case_figures(session: Session, shown: list[Unit], period: Period, tz: ZoneInfo,
                       as_of: date) -> list[UnitCases]:
    """Per unit of ``shown`` (in the order given), its subtree's case figures."""
    units = all_units(session)
    subtree = descendant_ids(units)
    codes = {u.id: u.code for u in units}
    members = set().union(*(subtree[u.id] for u in shown)) if shown else set()
    rows = _rows(session, members, period, tz)
    return [UnitCases(code=u.code, name=u.name, parent=codes.get(u.parent_id),
                      figures=case_figures(pooled(rows, subtree[u.id]), as_of)) for u in shown]


def add_unit_cases(session: Session, document: dict, period: Period, tz: ZoneInfo, as_of: date) -> dict:
    """The scores JSON (``services.scores.period_scores``) with a ``cases`` object in each unit."""
    by_code = cases_by_code(session, [u["unit"] for u in document["units"]], period, tz, as_of)
    return {**document, "units": [{**u, "cases": by_code.get(u["unit"])} for u in document["units"]]}


def cases_by_code(session: Session, codes: list[str], period: Period, tz: ZoneInfo, as_of: date) -> dict[str, dict]:
    """``{unit code: cases object}`` for the scores JSON and the report document."""
    by_code = {u.code: u for u in all_units(session)}
    shown = [by_code[code] for code in codes if code in by_code]
    return {entry.code: entry.figures.as_dict() for entry in units_case_figures(session, shown, period, tz, as_of)}
