"""Seeded simulation of the early warning (domain/early_warning.py) on a unit answered like the demo's.

A stable unit's respondents answer the 22 criteria of the default questionnaire the way
domain/demo_plan.py draws them: a latent satisfaction = the unit's level (a normal quantile) +
its element's offset + the respondent's mood + noise, satisfied when above 0; some answers are
"no opinion" or left blank. Each week has Poisson(30) respondents.

Weeks are independent given the unit, so a large pool of weeks is simulated once per level and
runs draw their weeks from it (with replacement): a run of 1,500 weeks costs a lookup, not 45,000
simulated respondents. Each run estimates its own baseline from 26 drawn weeks, as a real unit
does, so the baseline's own error is part of the measured false alarm rate.

A week's index and standard error are computed here for every week at once with numpy
(``weekly_figures``), an independent vectorised version of domain.scoring's linearisation, and
tests/domain/test_early_warning.py checks it against ``score_blocks`` week by week.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np
from scipy import optimize, special

from survey_app.domain.demo_plan import MOOD, NOISE
from survey_app.domain.early_warning import DOWN, UP, ChartRule, WeekFigure, baseline_of, ewma_chart

MONDAY = date(2024, 1, 1)
MEAN_RESPONDENTS = 30
LEVEL = 80.0          # the stable unit's index, about the demo's typical unit
POOL_WEEKS = 6000


@dataclass(frozen=True)
class Unit:
    """What stays fixed for one simulated unit, drawn as demo_plan draws a unit's traits."""

    criteria_of_element: tuple[int, ...]
    offsets: np.ndarray       # per element
    no_opinion: np.ndarray    # per element
    blank: float = 0.02


def demo_like_unit(rng: np.random.Generator, criteria_of_element: tuple[int, ...]) -> Unit:
    k = len(criteria_of_element)
    offsets = rng.normal(0, 0.3, k) + rng.normal(0, 0.25, k)
    return Unit(tuple(criteria_of_element), offsets - offsets.mean(), rng.uniform(0.01, 0.08, k))


def expected_index(unit: Unit, base: float) -> float:
    """The index's expectation at latent level ``base``: mean over elements of P(satisfied)."""
    spread = np.hypot(MOOD, NOISE)
    return 100.0 * float(np.mean(special.ndtr((base + unit.offsets) / spread)))


def base_for(unit: Unit, index: float) -> float:
    """The latent level whose expected index is ``index``."""
    return optimize.brentq(lambda b: expected_index(unit, b) - index, -6.0, 6.0, xtol=1e-12)


def simulate_ratings(rng: np.random.Generator, unit: Unit, base: float, respondents: int) -> np.ndarray:
    """respondents x criteria: 0 blank or no opinion, 2 unsatisfied, 4 satisfied."""
    per_criterion = np.repeat(np.arange(len(unit.criteria_of_element)), unit.criteria_of_element)
    latent = (base + unit.offsets[per_criterion] + rng.normal(0, MOOD, (respondents, 1))
              + rng.normal(0, NOISE, (respondents, len(per_criterion))))
    values = np.where(latent > 0, 4, 2).astype(np.uint8)
    roll = rng.random(values.shape)
    values[roll < unit.blank + unit.no_opinion[per_criterion]] = 0
    return values


def weekly_figures(values: np.ndarray, bounds: np.ndarray, criteria_of_element: tuple[int, ...]):
    """(n, index, se) per block of rows, vectorised; nan where a week has no estimate."""
    weeks = len(bounds) - 1
    sizes = np.diff(bounds)
    week_of_row = np.repeat(np.arange(weeks), sizes)
    valid, satisfied = values > 0, values >= 4
    n_valid = np.zeros((weeks, values.shape[1]))
    n_sat = np.zeros((weeks, values.shape[1]))
    np.add.at(n_valid, week_of_row, valid)
    np.add.at(n_sat, week_of_row, satisfied)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = n_sat / n_valid
        u = (satisfied - p[week_of_row] * valid) / n_valid[week_of_row]
    cuts = np.cumsum((0,) + tuple(criteria_of_element))
    spans = list(zip(cuts[:-1], cuts[1:]))
    with warnings.catch_warnings():  # an element no one rated in a week is left out of its mean
        warnings.simplefilter("ignore", RuntimeWarning)
        index = 100.0 * np.nanmean(np.stack([np.nanmean(p[:, a:b], axis=1) for a, b in spans], axis=1), axis=1)
        z = np.nanmean(np.stack([np.nanmean(u[:, a:b], axis=1) for a, b in spans], axis=1), axis=1)
    raters = np.bincount(week_of_row, weights=valid.any(axis=1), minlength=weeks)
    squares = np.bincount(week_of_row, weights=z * z, minlength=weeks)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = 100.0 * np.sqrt(raters / (raters - 1) * squares)
    return raters.astype(int), index, se


def week_pool(rng: np.random.Generator, unit: Unit, index: float, weeks: int = POOL_WEEKS,
              mean_respondents: float = MEAN_RESPONDENTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``weeks`` simulated weeks of ``unit`` at expected index ``index``."""
    sizes = rng.poisson(mean_respondents, weeks)
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    values = simulate_ratings(rng, unit, base_for(unit, index), int(bounds[-1]))
    return weekly_figures(values, bounds, unit.criteria_of_element)


def as_weeks(pool, picks: np.ndarray, first: date) -> list[WeekFigure]:
    n, index, se = pool
    return [WeekFigure(first + timedelta(weeks=k), int(n[i]), float(index[i]) if n[i] else None,
                       float(se[i]) if n[i] > 1 else None) for k, i in enumerate(picks)]


def run_length(rule: ChartRule, rng: np.random.Generator, stable, shifted=None, change_at: int = 0,
               horizon: int = 1500, side: str = DOWN) -> int | None:
    """Weeks from the change (week ``change_at`` of the chart, 0 = its first) to the first week
    signalling ``side``, counting that week (1 = signalled in the first shifted week); with
    ``shifted`` None, weeks from the chart's start to its first false signal. ``horizon`` when
    none came in that many weeks. None when a false signal came before the change (the run is
    not one of a detection)."""
    baseline = baseline_of(as_weeks(stable, rng.integers(0, len(stable[0]), rule.baseline_weeks),
                                    MONDAY - timedelta(weeks=rule.baseline_weeks)), rule)
    picks_before = rng.integers(0, len(stable[0]), change_at)
    source = stable if shifted is None else shifted
    picks_after = rng.integers(0, len(source[0]), horizon)
    window = as_weeks(stable, picks_before, MONDAY) + as_weeks(source, picks_after, MONDAY + timedelta(weeks=change_at))
    chart = ewma_chart(window, baseline, rule)
    for k, point in enumerate(chart.points):
        if point.signal == side:
            if k < change_at:
                return None
            return k - change_at + 1
    return horizon


def arl(rule: ChartRule, seed: int, runs: int, horizon: int = 1500, side: str = DOWN, level: float = LEVEL,
        respondents: float = MEAN_RESPONDENTS) -> float:
    """Average run length to a false ``side`` signal of a stable unit (censored runs count as
    ``horizon``: the estimate errs low)."""
    rng = np.random.default_rng(seed)
    unit = demo_like_unit(rng, CRITERIA)
    pool = week_pool(rng, unit, level, mean_respondents=respondents)
    return float(np.mean([run_length(rule, rng, pool, horizon=horizon, side=side) for _ in range(runs)]))


def delays(rule: ChartRule, seed: int, runs: int, drop: float, change_at: int = 13,
           level: float = LEVEL) -> list[int]:
    """Weeks to detect a sustained drop of ``drop`` points starting after ``change_at`` weeks."""
    rng = np.random.default_rng(seed)
    unit = demo_like_unit(rng, CRITERIA)
    stable = week_pool(rng, unit, level)
    shifted = week_pool(rng, unit, level - drop)
    found = [run_length(rule, rng, stable, shifted, change_at=change_at, horizon=104) for _ in range(runs)]
    return [d for d in found if d is not None]


CRITERIA = (4, 5, 6, 3, 4)  # the default questionnaire's elements (tests check against the file)
SIDES = (DOWN, UP)
NORMAL = NormalDist()
