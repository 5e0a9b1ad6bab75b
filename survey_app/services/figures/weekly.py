"""Each unit's weeks (Monday to Sunday, local time): its SIPAS index and that index's standard
error (the linearised one of domain.scoring), what the early warning charts.

Every unit's weeks come from one read of the span's counted responses into the arrays scoring
works on (services/rating_matrix.py), plus one light read of their times; the rows are then
summed by unit and week (domain/cell_sums.py) and every group scored at once (``score_many``).
A unit's weeks are its own responses, not those of the units below it: a warning says which
one-stop shop slipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.cell_sums import SumsLayout, grouped_sums
from survey_app.domain.early_warning import WeekFigure, weeks_between
from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.scoring_sums import score_many
from survey_app.models import Response, Unit
from survey_app.services.rating_matrix import period_matrix


@dataclass(frozen=True)
class WeeklySeries:
    """One unit's weeks from ``first`` to ``last`` (Mondays), every week present, oldest first."""

    unit_id: int
    code: str
    name: str
    weeks: tuple[WeekFigure, ...]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_series(session: Session, questionnaire: Questionnaire, first: date, last: date, tz: ZoneInfo,
                  units: list[Unit]) -> dict[int, WeeklySeries]:
    """The weeks from Monday ``first`` to the week of Monday ``last`` of every unit of ``units``
    (which must be every unit, as for ``period_matrix``), by unit id."""
    if first.weekday() or last.weekday():
        raise ValueError("weeks start on Mondays")
    mondays = weeks_between(first, last)
    matrix = period_matrix(session, questionnaire, Period(first, last + timedelta(days=6)), tz, units)
    # The week of each row, from its time: Mondays' local midnights as UTC instants.
    edges = np.array([datetime.combine(m, time.min, tz).timestamp() for m in mondays[1:]])
    moments = dict(session.execute(select(Response.id, Response.submitted_at).where(*matrix.where)).all())
    week_of_row = np.searchsorted(edges, [moments[int(i)].timestamp() for i in matrix.ids], side="right")
    unit_of_row = np.repeat(np.arange(len(matrix.units)), np.diff(matrix.blocks.bounds))
    # Rows regrouped by (unit, week): block u * weeks + w holds unit u's week w.
    key = unit_of_row * len(mondays) + week_of_row
    plan = questionnaire.scoring_plan()
    layout = SumsLayout(plan)
    rows = len(key)
    # Every (unit, week) summed and scored at once, as every other figure is (domain/scoring_sums.py).
    found, sums = grouped_sums(layout, matrix.blocks.values, np.zeros(rows, dtype=bool),
                               np.zeros((rows, len(plan.expectation_options)), dtype=bool), key)
    scored = dict(zip(found.tolist(), score_many(layout, sums))) if rows else {}
    series: dict[int, WeeklySeries] = {}
    for u, unit in enumerate(matrix.units):
        weeks = []
        for w, monday in enumerate(mondays):
            scores = scored.get(u * len(mondays) + w)
            weeks.append(WeekFigure(monday, 0, None, None) if scores is None
                         else WeekFigure(monday, scores.n, scores.index, scores.se))
        series[unit.id] = WeeklySeries(unit.id, unit.code, unit.name, tuple(weeks))
    return series
