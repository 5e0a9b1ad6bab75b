"""The early warning: an EWMA control chart of each unit's weekly SIPAS index against its own past.

See docs/indices.md, "Early warning". Each week (Monday to Sunday) with enough respondents is
standardised against the unit's baseline, z_t = (x_t - mu0) / se_t; the chart follows
E_t = lam * z_t + (1 - lam) * E_(t-1) from E = 0 at the window's first week, and signals
"down" (or "up") while E_t is below -h (above +h), h = L * sqrt(lam / (2 - lam)), the EWMA's
steady-state standard deviation times L. A week with fewer than ``min_responses`` respondents
leaves the chart as it was.

se_t is the week's linearised standard error (domain.scoring), but never less than the baseline's
pooled one for that many respondents, sigma0 / sqrt(n_t): a small week whose answers happen to
agree (every one satisfied gives se_t = 0) would otherwise weigh without limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

DOWN, UP = "down", "up"


@dataclass(frozen=True)
class ChartRule:
    """The chart's parameters, the ALERT_* settings (config.py; docs/indices.md says how lam
    and L were chosen)."""

    lam: float                  # ALERT_EWMA_LAMBDA: EWMA weight of the newest week
    width: float                # ALERT_EWMA_WIDTH, L: the limit in standard deviations of the EWMA
    min_responses: int          # ALERT_MIN_WEEKLY_RESPONSES: fewer respondents, no update
    window_weeks: int           # ALERT_WINDOW_WEEKS: the chart's weeks, ending with the last full week
    baseline_weeks: int         # ALERT_BASELINE_WEEKS: the weeks before the window that give mu0
    min_baseline_weeks: int     # ALERT_MIN_BASELINE_WEEKS: counted weeks a baseline needs

    def __post_init__(self) -> None:
        if not 0.0 < self.lam <= 1.0:
            raise ValueError(f"lam must be in (0, 1], got {self.lam}")
        if self.width <= 0:
            raise ValueError(f"the limit's width must be positive, got {self.width}")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ChartRule:
        """The rule of an app's configuration (its ALERT_* keys)."""
        return cls(lam=float(settings["ALERT_EWMA_LAMBDA"]), width=float(settings["ALERT_EWMA_WIDTH"]),
                   min_responses=int(settings["ALERT_MIN_WEEKLY_RESPONSES"]),
                   window_weeks=int(settings["ALERT_WINDOW_WEEKS"]),
                   baseline_weeks=int(settings["ALERT_BASELINE_WEEKS"]),
                   min_baseline_weeks=int(settings["ALERT_MIN_BASELINE_WEEKS"]))

    @property
    def limit(self) -> float:
        return self.width * math.sqrt(self.lam / (2.0 - self.lam))


@dataclass(frozen=True)
class WeekFigure:
    """One unit's week: its respondents, SIPAS index and that index's standard error."""

    start: date                 # the Monday
    n: int
    index: float | None
    se: float | None


@dataclass(frozen=True)
class ChartPoint:
    week: WeekFigure
    counted: bool               # the week updated the chart (enough respondents, inside the window)
    z: float | None
    ewma: float | None          # the chart after this week; None before the first counted week
    signal: str | None          # DOWN, UP or None, as of this week


@dataclass(frozen=True)
class Baseline:
    mean: float                 # mu0: mean index of its counted weeks
    sigma: float                # respondent-level standard deviation: se * sqrt(n), pooled
    first: date                 # its first and last week
    last: date
    weeks: int                  # counted weeks in it


@dataclass(frozen=True)
class ControlChart:
    limit: float
    baseline: Baseline | None   # None: not enough weeks to compare with
    points: tuple[ChartPoint, ...]  # the window's weeks, oldest first

    @property
    def last(self) -> ChartPoint | None:
        return self.points[-1] if self.points else None

    @property
    def signal(self) -> str | None:
        return self.last.signal if self.last else None

    @property
    def ewma(self) -> float | None:
        return self.last.ewma if self.last else None

    @property
    def since(self) -> date | None:
        """The Monday of the week the current signal began."""
        if self.signal is None:
            return None
        start = self.points[-1].week.start
        for point in reversed(self.points):
            if point.signal != self.signal:
                break
            start = point.week.start
        return start

    @property
    def weeks_signalling(self) -> int:
        """Calendar weeks from ``since`` to the last week, both included; 0 without a signal."""
        if self.since is None:
            return 0
        return (self.points[-1].week.start - self.since).days // 7 + 1

    @property
    def gap(self) -> float | None:
        """Mean index of the counted weeks of the current signal minus the baseline, in points."""
        if self.since is None or self.baseline is None:
            return None
        indices = [p.week.index for p in self.points if p.counted and p.week.start >= self.since]
        return sum(indices) / len(indices) - self.baseline.mean if indices else None


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays from ``first`` to ``last`` (both Mondays), inclusive."""
    return [first + timedelta(weeks=k) for k in range((last - first).days // 7 + 1)]


def counts(week: WeekFigure, rule: ChartRule) -> bool:
    return week.n >= rule.min_responses and week.index is not None and week.se is not None


def baseline_of(weeks: Sequence[WeekFigure], rule: ChartRule) -> Baseline | None:
    """mu0 and sigma0 of ``weeks`` (oldest first), from those with enough respondents."""
    used = [w for w in weeks if counts(w, rule)]
    if len(used) < rule.min_baseline_weeks:
        return None
    mean = sum(w.index for w in used) / len(used)
    # Each week's se^2 * n estimates the respondent-level variance; pooled by respondents.
    sigma = math.sqrt(sum(w.se ** 2 * w.n * w.n for w in used) / sum(w.n for w in used))
    return Baseline(mean=mean, sigma=sigma, first=weeks[0].start, last=weeks[-1].start, weeks=len(used))


def standardised(week: WeekFigure, baseline: Baseline) -> float:
    se = max(week.se, baseline.sigma / math.sqrt(week.n))
    if se == 0.0:  # a baseline where every answer was satisfied, and so is this week's
        return 0.0 if week.index == baseline.mean else math.copysign(math.inf, week.index - baseline.mean)
    return (week.index - baseline.mean) / se


def ewma_chart(window: Sequence[WeekFigure], baseline: Baseline | None, rule: ChartRule) -> ControlChart:
    """The chart over ``window`` (consecutive weeks, oldest first) against ``baseline``."""
    limit = rule.limit
    points: list[ChartPoint] = []
    ewma: float | None = None
    signal: str | None = None
    for week in window:
        counted = baseline is not None and counts(week, rule)
        z = None
        if counted:
            z = standardised(week, baseline)
            # An infinite z (a zero standard error) pins the chart at a limit's far side.
            z = max(-1e6, min(1e6, z))
            ewma = rule.lam * z + (1.0 - rule.lam) * (ewma or 0.0)
            signal = DOWN if ewma < -limit else UP if ewma > limit else None
        points.append(ChartPoint(week=week, counted=counted, z=z, ewma=ewma, signal=signal))
    return ControlChart(limit=limit, baseline=baseline, points=tuple(points))


def control_chart(history: Sequence[WeekFigure], window_first: date, rule: ChartRule) -> ControlChart:
    """The unit's chart over the weeks of ``history`` from ``window_first`` on.

    ``history`` is every week up to the last of the window, consecutive, oldest first. The
    baseline is the ``baseline_weeks`` before the window; a unit without enough counted weeks
    there (a new one) takes its first ``baseline_weeks`` weeks with data instead, and its chart
    starts after them.
    """
    before = [w for w in history if w.start < window_first][-rule.baseline_weeks:]
    window = [w for w in history if w.start >= window_first]
    baseline = baseline_of(before, rule) if before else None
    if baseline is None:
        with_data = [i for i, w in enumerate(history) if counts(w, rule)]
        if with_data:
            first = with_data[0]
            own = list(history[first:first + rule.baseline_weeks])
            baseline = baseline_of(own, rule)
            if baseline is not None:
                window = [w for w in window if w.start > own[-1].start]
    return ewma_chart(window, baseline, rule)
