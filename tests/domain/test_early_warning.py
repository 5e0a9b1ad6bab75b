"""The early warning's chart (domain/early_warning.py): worked by hand, and by seeded simulation."""

import math
from datetime import date, timedelta
from pathlib import Path

import early_warning_simulation as sim
import numpy as np
import pytest

from survey_app.config import Defaults
from survey_app.domain.catalog import load_catalog
from survey_app.domain.early_warning import DOWN, UP, ChartRule, WeekFigure, control_chart
from survey_app.domain.rating_blocks import RatingBlocks, RatingMatrix
from survey_app.domain.scoring import score_blocks

RULE = ChartRule.from_settings(vars(Defaults))
HAND_RULE = ChartRule(lam=0.5, width=1.0, min_responses=5, window_weeks=5, baseline_weeks=3, min_baseline_weeks=2)
MONDAY = date(2026, 3, 2)


def weeks(*figures, first=MONDAY):
    return [WeekFigure(first + timedelta(weeks=k), n, index, se) for k, (n, index, se) in enumerate(figures)]


def test_the_chart_worked_by_hand():
    history = weeks((10, 80.0, 3.0), (10, 84.0, 3.0), (4, 50.0, 10.0),  # baseline; the third too small
                    (10, 76.0, 4.0), (3, 20.0, 9.0), (10, 85.0, 2.0), (25, 70.0, 1.0), (10, 80.0, 3.0))
    chart = control_chart(history, MONDAY + timedelta(weeks=3), HAND_RULE)
    # mu0 = (80 + 84) / 2; sigma0^2 = (3^2 * 10 * 10 + 3^2 * 10 * 10) / 20 = 90.
    assert chart.baseline.mean == 82.0
    assert chart.baseline.sigma == pytest.approx(math.sqrt(90.0), rel=1e-15)
    assert chart.limit == pytest.approx(math.sqrt(0.5 / 1.5), rel=1e-15)
    # z: (76-82)/max(4, 3) = -1.5; skipped; (85-82)/max(2, 3) = 1; (70-82)/max(1, sqrt(90)/5); (80-82)/3.
    z4 = -12.0 / (math.sqrt(90.0) / 5.0)
    e1 = 0.5 * -1.5
    e3 = 0.5 * 1.0 + 0.5 * e1
    e4 = 0.5 * z4 + 0.5 * e3
    e5 = 0.5 * (-2.0 / 3.0) + 0.5 * e4
    assert [p.counted for p in chart.points] == [True, False, True, True, True]
    assert chart.points[1].z is None
    assert [p.z for p in chart.points if p.counted] == pytest.approx([-1.5, 1.0, z4, -2.0 / 3.0], rel=1e-12)
    assert [p.ewma for p in chart.points] == pytest.approx([e1, e1, e3, e4, e5], rel=1e-12)
    assert [p.signal for p in chart.points] == [DOWN, DOWN, None, DOWN, DOWN]
    assert chart.signal == DOWN and chart.ewma == pytest.approx(e5, rel=1e-12)
    assert chart.since == MONDAY + timedelta(weeks=6)
    assert chart.weeks_signalling == 2
    assert chart.gap == pytest.approx((70.0 + 80.0) / 2 - 82.0)


def test_an_up_signal_lasts_until_the_chart_is_back_inside():
    history = weeks((10, 80.0, 3.0), (10, 80.0, 3.0), (10, 86.0, 3.0), (10, 80.0, 3.0), (10, 80.0, 3.0))
    chart = control_chart(history, MONDAY + timedelta(weeks=2), HAND_RULE)
    # z = 2, then 0, 0: the EWMA is 1, 0.5 (still above 0.577? no: inside), 0.25.
    assert [p.ewma for p in chart.points] == pytest.approx([1.0, 0.5, 0.25])
    assert [p.signal for p in chart.points] == [UP, None, None]
    assert chart.since is None and chart.weeks_signalling == 0 and chart.gap is None


def test_a_new_unit_is_compared_with_its_first_weeks_with_data():
    history = weeks((0, None, None), (10, 80.0, 3.0), (10, 84.0, 3.0), (10, 82.0, 3.0), (10, 70.0, 3.0))
    chart = control_chart(history, MONDAY, HAND_RULE)
    assert chart.baseline.mean == 82.0 and chart.baseline.first == MONDAY + timedelta(weeks=1)
    assert [p.week.start for p in chart.points] == [MONDAY + timedelta(weeks=4)]
    assert chart.points[0].z == pytest.approx(-4.0) and chart.signal == DOWN


def test_no_baseline_no_signal():
    history = weeks((3, 80.0, 3.0), (10, 80.0, 3.0), (3, 20.0, 3.0))
    chart = control_chart(history, MONDAY + timedelta(weeks=2), HAND_RULE)
    assert chart.baseline is None and chart.signal is None
    assert [p.ewma for p in chart.points] == [None]


def test_a_zero_standard_error_does_not_break_the_chart():
    history = weeks((10, 100.0, 0.0), (10, 100.0, 0.0), (10, 100.0, 0.0), (10, 90.0, 3.0))
    chart = control_chart(history, MONDAY + timedelta(weeks=2), HAND_RULE)
    assert chart.points[0].z == 0.0 and chart.points[1].signal == DOWN


def test_the_simulated_weeks_score_as_the_scoring_module_does():
    plan = load_catalog(Path(Defaults.QUESTIONNAIRE_DIR), "sipas").default.scoring_plan()
    assert tuple(len(criteria) for _, criteria in plan.elements) == sim.CRITERIA
    rng = np.random.default_rng(7)
    unit = sim.demo_like_unit(rng, sim.CRITERIA)
    assert sim.expected_index(unit, sim.base_for(unit, 80.0)) == pytest.approx(80.0)
    bounds = np.concatenate(([0], np.cumsum(rng.poisson(8, 60))))
    values = sim.simulate_ratings(rng, unit, sim.base_for(unit, 80.0), int(bounds[-1]))
    n, index, se = sim.weekly_figures(values, bounds, sim.CRITERIA)
    blocks = RatingBlocks.of(plan, RatingMatrix(values, np.zeros((len(values), len(plan.expectation_options)), bool),
                                                np.zeros(len(values), bool)), bounds)
    for week in range(60):
        expected = score_blocks(plan, blocks, week, week + 1)
        assert n[week] == expected.n
        assert index[week] == pytest.approx(expected.index, rel=1e-12)
        assert (expected.se is None and np.isnan(se[week])) or se[week] == pytest.approx(expected.se, rel=1e-12)


# Seeded and short (some 20 s in all); bench/bench_alerts.py runs the long ones and prints them.
def test_a_stable_unit_signals_down_falsely_less_than_once_in_200_weeks():
    assert sim.arl(RULE, seed=11, runs=120) >= 200


def test_a_stable_unit_signals_up_falsely_less_than_once_in_200_weeks():
    assert sim.arl(RULE, seed=12, runs=120, side=UP) >= 200


def test_a_drop_of_5_points_is_found_within_6_weeks_at_the_median():
    found = sim.delays(RULE, seed=13, runs=120, drop=5.0)
    assert len(found) >= 100 and np.median(found) <= 6


def test_a_drop_of_10_points_is_found_within_3_weeks_at_the_median():
    found = sim.delays(RULE, seed=14, runs=120, drop=10.0)
    assert len(found) >= 100 and np.median(found) <= 3
