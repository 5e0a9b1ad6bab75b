"""The weighted SIPAS index (domain/weighting.py) against answers known in closed form, and its
linearised interval against a stratified bootstrap and a stratified jackknife written here."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from survey_app.domain.scoring import Respondent, ScoringPlan, score
from survey_app.domain.weighting import WeightedScore, weighted_sipas

Z95 = NormalDist().inv_cdf(0.975)
ONE = ScoringPlan(elements=(("E", ("c",)),), satisfied_from=4)
PLAN = ScoringPlan(elements=(("A", ("a1", "a2", "a3")), ("B", ("b1", "b2")), ("C", ("c1",))), satisfied_from=4)


def single_criterion(counts: dict[str, tuple[int, int]]) -> tuple[list[Respondent], list[str]]:
    """cell -> (raters, satisfied): each rater rates the one criterion 5 (satisfied) or 2."""
    respondents, cells = [], []
    for cell, (n, k) in counts.items():
        respondents += [Respondent({"c": 5})] * k + [Respondent({"c": 2})] * (n - k)
        cells += [cell] * n
    return respondents, cells


# ---------------------------------------------------------------- known answers

def test_one_criterion_is_the_volume_weighted_mean_of_the_cells():
    # A small, satisfied kiosk sample and a large, unhappy open-link sample; the volumes are
    # the other way round, so the weighted index is far from the unweighted one.
    counts = {"kiosk": (40, 36), "link": (160, 48)}
    volumes = {"kiosk": 9000, "link": 1000}
    respondents, cells = single_criterion(counts)
    weighted = weighted_sipas(ONE, respondents, cells, volumes)

    shares = {h: volumes[h] / 10000 for h in counts}
    p = {h: k / n for h, (n, k) in counts.items()}
    expected = 100 * sum(shares[h] * p[h] for h in counts)
    assert weighted.index == pytest.approx(expected, abs=1e-12)   # 0.9*90 + 0.1*30 = 84
    assert score(ONE, respondents).index == pytest.approx(100 * 84 / 200)

    # Stratified variance of a post-stratified proportion: sum W_h^2 p_h (1 - p_h) / (n_h - 1).
    variance = sum(shares[h] ** 2 * p[h] * (1 - p[h]) / (counts[h][0] - 1) for h in counts)
    half = Z95 * 100 * math.sqrt(variance)
    assert weighted.ci == pytest.approx((expected - half, expected + half), abs=1e-9)
    # Kish's design effect against simple random sampling of the same 200: p(1 - p)/(n - 1).
    p_all = 84 / 200
    assert weighted.deff == pytest.approx(variance / (p_all * (1 - p_all) / 199), rel=1e-12)


def test_weights_proportional_to_the_sample_give_the_unweighted_index():
    rng = np.random.default_rng(3)
    respondents, cells = synthetic(rng, {"x": (50, 0.8), "y": (30, 0.5), "z": (20, 0.3)})
    volumes = {"x": 500, "y": 300, "z": 200}
    assert weighted_sipas(PLAN, respondents, cells, volumes).index == pytest.approx(
        score(PLAN, respondents).index, abs=1e-9)


def test_equal_satisfaction_in_every_cell_gives_kish_weighting_effect():
    # Every cell 60% satisfied: only unequal weights inflate the variance, by 1 + cv^2 of the
    # weights, n sum(w^2) / (sum w)^2 (Kish 1965), up to the n_h/(n_h - 1) factors.
    counts = {"a": (100, 60), "b": (100, 60)}
    volumes = {"a": 1000, "b": 9000}
    respondents, cells = single_criterion(counts)
    w = np.array([10.0] * 100 + [90.0] * 100)
    kish = len(w) * np.sum(w**2) / np.sum(w) ** 2
    assert weighted_sipas(ONE, respondents, cells, volumes).deff == pytest.approx(kish, rel=0.01)


def test_who_rated_nothing_carries_no_weight():
    rng = np.random.default_rng(5)
    respondents, cells = synthetic(rng, {"x": (40, 0.8), "y": (40, 0.4)})
    volumes = {"x": 100, "y": 700}
    plain = weighted_sipas(PLAN, respondents, cells, volumes)
    # Blank forms and "no opinion" only, in a covered cell and in a cell without any volume.
    padded = weighted_sipas(PLAN, respondents + [Respondent({}), Respondent({"a1": 0}), Respondent({})],
                            cells + ["x", "y", "nowhere"], volumes)
    assert padded == plain


def test_volumes_must_cover_every_cell_with_a_rater():
    respondents, cells = single_criterion({"a": (10, 5), "b": (10, 8)})
    assert weighted_sipas(ONE, respondents, cells, {"a": 100}) is None
    assert weighted_sipas(ONE, respondents, cells, {"a": 100, "b": 0}) is None   # a volume of 0 contradicts its raters
    # A cell with a volume but nobody who answered stands for nobody: it changes nothing.
    assert weighted_sipas(ONE, respondents, cells, {"a": 100, "b": 50, "c": 10**6}) == \
        weighted_sipas(ONE, respondents, cells, {"a": 100, "b": 50})
    assert weighted_sipas(ONE, [Respondent({})], ["a"], {"a": 100}) is None
    assert weighted_sipas(ONE, [], [], {"a": 100}) is None


def test_one_rater_has_an_index_but_no_interval():
    assert weighted_sipas(ONE, [Respondent({"c": 5})], ["a"], {"a": 10}) == WeightedScore(100.0, None, None)


def test_every_answer_alike_has_no_design_effect():
    respondents, cells = single_criterion({"a": (10, 10), "b": (5, 5)})
    weighted = weighted_sipas(ONE, respondents, cells, {"a": 1, "b": 5})
    assert (weighted.index, weighted.ci, weighted.deff) == (100.0, (100.0, 100.0), None)


def test_a_cell_of_one_rater_adds_its_deviation_from_the_index_instead_of_vanishing():
    respondents, cells = single_criterion({"a": (30, 15), "b": (20, 16), "c": (1, 1)})
    volumes = {"a": 600, "b": 300, "c": 100}
    weighted = weighted_sipas(ONE, respondents, cells, volumes)
    shares = {h: v / 1000 for h, v in volumes.items()}
    p = 0.6 * 15 / 30 + 0.3 * 16 / 20 + 0.1 * 1
    # Cells of two or more: W_h^2 p_h (1 - p_h) / (n_h - 1); the lone rater: (W_c (y - p))^2.
    variance = (shares["a"] ** 2 * 0.5 * 0.5 / 29 + shares["b"] ** 2 * 0.8 * 0.2 / 19
                + (shares["c"] * (1 - p)) ** 2)
    half = Z95 * 100 * math.sqrt(variance)
    assert weighted.ci == pytest.approx((100 * p - half, 100 * p + half), abs=1e-9)


def test_bad_arguments():
    with pytest.raises(ValueError, match="cells"):
        weighted_sipas(ONE, [Respondent({"c": 5})], [], {})
    with pytest.raises(ValueError, match="confidence"):
        weighted_sipas(ONE, [Respondent({"c": 5})], ["a"], {"a": 1}, confidence=1.0)


# ---------------------------------------------------------------- a second method: resampling

def synthetic(rng, cells: dict[str, tuple[int, float]]) -> tuple[list[Respondent], list[str]]:
    """cell -> (raters, propensity): correlated answers (one mood per respondent) on PLAN's six
    criteria, with blanks and "no opinion"; every respondent rates at least a1."""
    respondents, labels = [], []
    for cell, (n, propensity) in cells.items():
        for _ in range(n):
            mood = rng.normal()
            ratings = {}
            for code in PLAN.criteria:
                draw = rng.random()
                if code != "a1" and draw < 0.1:
                    continue                   # blank
                if code != "a1" and draw < 0.15:
                    ratings[code] = 0          # no opinion
                    continue
                satisfied = rng.random() < 1 / (1 + math.exp(-(math.log(propensity / (1 - propensity)) + mood)))
                ratings[code] = int(rng.choice([4, 5])) if satisfied else int(rng.choice([1, 2, 3]))
            respondents.append(Respondent(ratings))
            labels.append(cell)
    return respondents, labels


def independent_index(valid: np.ndarray, satisfied: np.ndarray, weights: np.ndarray) -> float:
    """The SIPAS definition with weighted proportions, written out again for the check."""
    elements = []
    start = 0
    for _, criteria in PLAN.elements:
        indices = []
        for j in range(start, start + len(criteria)):
            base = np.sum(weights * valid[:, j])
            if base > 0:
                indices.append(100 * np.sum(weights * satisfied[:, j]) / base)
        if indices:
            elements.append(sum(indices) / len(indices))
        start += len(criteria)
    return sum(elements) / len(elements)


def matrices(respondents: list[Respondent]) -> tuple[np.ndarray, np.ndarray]:
    values = np.array([[r.ratings.get(c, 0) for c in PLAN.criteria] for r in respondents])
    return values > 0, values >= PLAN.satisfied_from


CELLS = {"kiosk": (150, 0.9), "link": (60, 0.4), "paper": (90, 0.65)}
VOLUMES = {"kiosk": 2000, "link": 12000, "paper": 5000}


@pytest.fixture(scope="module")
def sample():
    respondents, cells = synthetic(np.random.default_rng(20261125), CELLS)
    valid, satisfied = matrices(respondents)
    strata = {h: np.flatnonzero(np.array(cells) == h) for h in CELLS}
    weights = np.empty(len(cells))
    for h, members in strata.items():
        weights[members] = VOLUMES[h] / len(members)
    return respondents, cells, valid, satisfied, strata, weights


def test_index_agrees_with_the_definition_written_out(sample):
    respondents, cells, valid, satisfied, _, weights = sample
    weighted = weighted_sipas(PLAN, respondents, cells, VOLUMES)
    assert weighted.index == pytest.approx(independent_index(valid, satisfied, weights), abs=1e-9)
    assert abs(weighted.index - score(PLAN, respondents).index) > 5   # the weights matter here


def test_standard_error_agrees_with_a_stratified_bootstrap(sample):
    respondents, cells, valid, satisfied, strata, weights = sample
    weighted = weighted_sipas(PLAN, respondents, cells, VOLUMES)
    linearised_se = (weighted.ci[1] - weighted.ci[0]) / (2 * Z95)

    # Resample raters with replacement within each cell, as many as it has, so every cell keeps
    # its n_h and each rater its weight N_h / n_h.
    rng = np.random.default_rng(7)
    replicates = []
    for _ in range(3000):
        rows = np.concatenate([rng.choice(members, size=len(members)) for members in strata.values()])
        replicates.append(independent_index(valid[rows], satisfied[rows], weights[rows]))
    bootstrap_se = float(np.std(replicates, ddof=1))
    # 3000 replicates estimate an SE to about 1.3%; the bootstrap also shrinks each cell's
    # variance by (n_h - 1)/n_h, under 1% here.
    assert linearised_se == pytest.approx(bootstrap_se, rel=0.05)


def test_standard_error_agrees_with_a_stratified_jackknife(sample):
    respondents, cells, valid, satisfied, strata, weights = sample
    weighted = weighted_sipas(PLAN, respondents, cells, VOLUMES)
    linearised_variance = ((weighted.ci[1] - weighted.ci[0]) / (2 * Z95)) ** 2

    # Delete-one jackknife (JKn): drop one rater, its cell's others weigh N_h / (n_h - 1).
    variance = 0.0
    for h, members in strata.items():
        n_h = len(members)
        estimates = []
        for drop in members:
            keep = np.ones(len(cells), dtype=bool)
            keep[drop] = False
            w = weights.copy()
            w[members] = VOLUMES[h] / (n_h - 1)
            estimates.append(independent_index(valid[keep], satisfied[keep], w[keep]))
        estimates = np.array(estimates)
        variance += (n_h - 1) / n_h * np.sum((estimates - estimates.mean()) ** 2)
    # For a smooth statistic the jackknife and linearisation agree to O(1/n).
    assert linearised_variance == pytest.approx(variance, rel=0.03)
