"""The early warning of every unit of a scope as of a day: its control chart and state.

What the ``alerts`` command prints, /reports/alerts shows, the unit page charts, the PDF
report's "Cảnh báo sớm" section and the weekly digest send: all from ``unit_alerts``, which
reads the weeks commands kept (services/alert_weeks.py) and computes them when none fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from survey_app.domain.early_warning import DOWN, UP, ChartRule, ControlChart, control_chart
from survey_app.domain.questionnaire import Questionnaire
from survey_app.models import Unit
from survey_app.services.alert_weeks import unit_weeks
from survey_app.services.figures.weekly import monday_of
from survey_app.services.scores import ScoreQuery
from survey_app.services.units import subtree, unit_by_code

_ORDER = {DOWN: 0, UP: 1, None: 2}


@dataclass(frozen=True)
class UnitAlert:
    unit_id: int
    code: str
    name: str
    chart: ControlChart

    @property
    def signal(self) -> str | None:
        return self.chart.signal


@dataclass(frozen=True)
class Alerts:
    """Units of a scope, those signalling "down" first, then "up", then the others, by code."""

    as_of: date
    first: date   # the Monday of the window's first week
    last: date    # the Monday of its last week, the last full week before ``as_of``
    units: tuple[UnitAlert, ...]

    @property
    def signalling(self) -> tuple[UnitAlert, ...]:
        return tuple(u for u in self.units if u.signal is not None)

    def of(self, unit_id: int) -> UnitAlert | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)


def last_full_week(as_of: date) -> date:
    """The Monday of the last week (Monday to Sunday) that ended before ``as_of``."""
    return monday_of(as_of) - timedelta(weeks=1)


def unit_alerts(session: Session, questionnaire: Questionnaire, as_of: date, tz: ZoneInfo, rule: ChartRule,
                scope: Unit | None = None, *, keep: bool = False) -> Alerts:
    """The chart of every unit of ``scope`` and below (every unit without one) as of ``as_of``.

    The weeks behind the charts are those a command kept for that week if the responses have
    not moved since, computed now otherwise (services/alert_weeks.py); the alerts are the same
    either way. ``keep``: a command's call, which writes what it had to compute (flushed); a
    page's call never writes."""
    last = last_full_week(as_of)
    first = last - timedelta(weeks=rule.window_weeks - 1)
    found = subtree(session, scope.code if scope is not None else None)
    weeks = unit_weeks(session, questionnaire, first - timedelta(weeks=rule.baseline_weeks), last, tz,
                       list(found.units), keep=keep)
    alerts = [UnitAlert(s.unit_id, s.code, s.name, control_chart(s.weeks, first, rule))
              for s in weeks.series.values() if found.ids is None or s.unit_id in found.ids]
    alerts.sort(key=lambda a: (_ORDER[a.signal], -a.chart.weeks_signalling, a.code))
    return Alerts(as_of=as_of, first=first, last=last, units=tuple(alerts))


def alerts_document(alerts: Alerts) -> dict[str, Any]:
    """The JSON of the ``alerts`` contract (README, "Alerts JSON")."""
    def unit(alert: UnitAlert) -> dict[str, Any]:
        chart = alert.chart
        last = chart.last.week if chart.last else None
        return {
            "unit": alert.code, "name": alert.name, "signal": chart.signal,
            "since": chart.since.isoformat() if chart.since else None,
            "weeks_signalling": chart.weeks_signalling, "ewma": chart.ewma, "limit": chart.limit,
            "baseline": chart.baseline.mean if chart.baseline else None,
            "last_index": last.index if last else None, "n_last_week": last.n if last else 0,
        }
    return {"as_of": alerts.as_of.isoformat(), "weeks": [alerts.first.isoformat(), alerts.last.isoformat()],
            "units": [unit(a) for a in alerts.units]}


def report_early_warning(session: Session, query: ScoreQuery, rule: ChartRule) -> Alerts:
    """The report's "Cảnh báo sớm" section: the units of its scope at the end of its period (the
    last full week before the day after it)."""
    scope = unit_by_code(session, query.unit_code) if query.unit_code else None
    return unit_alerts(session, query.questionnaire, query.period.end + timedelta(days=1), query.tz, rule, scope)
