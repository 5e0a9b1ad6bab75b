"""Every unit's weeks for the early warning, read from what a command kept when it still
describes the responses, computed from the responses otherwise (models/alert_weeks.py).

Computing the weeks reads every counted response of the chart's weeks and its baseline's
(services/figures/weekly.py): seconds at a province's volume. So commands keep them once per
closed week, and every page reads them back. A row is trusted only while its stamp, one
aggregate over the same responses, equals the stamp now: a late kiosk answer (up to 14 days
old), an import, a flag or a restore in those weeks moves it, and the weeks are then computed
on the fly, without writing (a GET writes nothing), until a command keeps them again.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey_app.domain.cell_sums import SumsLayout
from survey_app.domain.early_warning import WeekFigure, weeks_between
from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import Questionnaire
from survey_app.models import AlertWeeks, Response, ResponseFlag, Unit
from survey_app.services.figures.weekly import WeeklySeries, weekly_series


@dataclass(frozen=True)
class Stamp:
    """What the weeks were computed from, in one aggregate: a response added (its id is new) or
    removed moves the first two; a flag or a restore moves the last two."""

    responses: int
    last_response_id: int
    flags: int          # unrestored flags on those responses
    flag_id_sum: int    # the sum of their response ids: one flag restored and another made differ


@dataclass(frozen=True)
class Weeks:
    series: dict[int, WeeklySeries]   # unit id -> its weeks
    kept: bool                        # read from a kept row (False: computed now)


def stamp(session: Session, questionnaire_id: str, first: date, last: date, tz: ZoneInfo) -> Stamp:
    """The stamp of the responses to ``questionnaire_id`` in the weeks from Monday ``first`` to
    the week of Monday ``last``."""
    start, end = Period(first, last + timedelta(days=6)).utc_bounds(tz)
    unrestored = and_(ResponseFlag.response_id == Response.id, ResponseFlag.restored.is_(False))
    row = session.execute(
        select(func.count(Response.id), func.coalesce(func.max(Response.id), 0),
               func.count(ResponseFlag.response_id), func.coalesce(func.sum(ResponseFlag.response_id), 0))
        .select_from(Response).outerjoin(ResponseFlag, unrestored)
        .where(Response.questionnaire_id == questionnaire_id, Response.submitted_at >= start,
               Response.submitted_at < end)).one()
    return Stamp(*(int(value) for value in row))


def unit_weeks(session: Session, questionnaire: Questionnaire, first: date, last: date, tz: ZoneInfo,
               units: list[Unit], *, keep: bool = False) -> Weeks:
    """The weeks from Monday ``first`` to the week of Monday ``last`` of every unit of ``units``
    (every unit, as ``weekly_series`` wants): the kept ones if their stamp matches, else
    computed; ``keep`` (commands only) writes what it computed, flushed, not committed."""
    now = stamp(session, questionnaire.id, first, last, tz)
    layout = SumsLayout(questionnaire.scoring_plan()).key
    row = session.execute(
        select(AlertWeeks.first, AlertWeeks.timezone, AlertWeeks.layout, AlertWeeks.responses,
               AlertWeeks.last_response_id, AlertWeeks.flags, AlertWeeks.flag_id_sum, AlertWeeks.figures)
        .where(AlertWeeks.questionnaire_id == questionnaire.id, AlertWeeks.week == last)).one_or_none()
    if row is not None and (row.first, row.timezone, row.layout) == (first, tz.key, layout) and Stamp(
            row.responses, row.last_response_id, row.flags, row.flag_id_sum) == now:
        return Weeks(_decode(row.figures, first, last, units), kept=True)
    series = weekly_series(session, questionnaire, first, last, tz, units)
    # Keep only if nothing moved while the weeks were read: the stamp is read before them, so
    # an answer committed in between is in the figures but not in the stamp, and (without this
    # check) a flag made and lifted in between would leave the old stamp on new figures.
    if keep and stamp(session, questionnaire.id, first, last, tz) == now:
        _write(session, questionnaire.id, first, last, tz, layout, now, series)
    return Weeks(series, kept=False)


def _write(session: Session, questionnaire_id: str, first: date, last: date, tz: ZoneInfo, layout: str,
           found: Stamp, series: dict[int, WeeklySeries]) -> None:
    values = {"first": first, "timezone": tz.key, "layout": layout, "computed_at": datetime.now(timezone.utc),
              "responses": found.responses, "last_response_id": found.last_response_id, "flags": found.flags,
              "flag_id_sum": found.flag_id_sum, "figures": _encode(series, first)}
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # Two commands keeping the same week at once (the nightly keep and the digest): the last wins,
    # both being right for their stamp.
    session.execute(insert(AlertWeeks).values(questionnaire_id=questionnaire_id, week=last, **values)
                    .on_conflict_do_update(index_elements=["questionnaire_id", "week"], set_=values))
    session.flush()


def _encode(series: dict[int, WeeklySeries], first: date) -> bytes:
    """{unit id: [[week number, n, index, se], ...]} of the weeks with respondents; JSON keeps
    a float's every bit (repr), so a kept chart equals a computed one exactly."""
    found = {}
    for unit_id, s in series.items():
        weeks = [[(w.start - first).days // 7, int(w.n), _number(w.index), _number(w.se)]
                 for w in s.weeks if (w.n, w.index, w.se) != (0, None, None)]
        if weeks:
            found[str(unit_id)] = weeks
    return zlib.compress(json.dumps(found, separators=(",", ":")).encode(), 6)


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def _decode(blob: bytes, first: date, last: date, units: list[Unit]) -> dict[int, WeeklySeries]:
    kept = json.loads(zlib.decompress(blob))
    mondays = weeks_between(first, last)
    series = {}
    for unit in units:
        weeks = [WeekFigure(monday, 0, None, None) for monday in mondays]
        for number, n, index, se in kept.get(str(unit.id), ()):
            weeks[number] = WeekFigure(mondays[number], n, index, se)
        series[unit.id] = WeeklySeries(unit.id, unit.code, unit.name, tuple(weeks))
    return series
