"""Cronbach's alpha (domain.reliability), checked against formulas written here independently."""

from __future__ import annotations

import numpy as np
import pytest

from survey_app.domain.reliability import MIN_ALPHA_RESPONDENTS, cronbach_alpha
from survey_app.domain.scoring import Respondent, ScoringPlan, score


def alpha_from_covariance(x: np.ndarray) -> float:
    """The covariance-matrix form (as pingouin writes it): k/(k-1) * (1 - trace(C) / sum(C))."""
    c = np.cov(x, rowvar=False)
    k = x.shape[1]
    return k / (k - 1) * (1 - np.trace(c) / c.sum())


def alpha_by_hand(rows: list[list[int]]) -> float:
    """The variance-of-sums formula with plain Python arithmetic."""
    def var(values):
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    k = len(rows[0])
    items = sum(var([row[j] for row in rows]) for j in range(k))
    return k / (k - 1) * (1 - items / var([sum(row) for row in rows]))


def correlated_levels(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    mood = rng.normal(0, 1, (n, 1))
    return np.clip(np.rint(3 + mood + rng.normal(0, 0.8, (n, k))), 1, 5).astype(int)


@pytest.mark.parametrize("seed", range(5))
def test_alpha_agrees_with_the_covariance_form(seed):
    x = correlated_levels(np.random.default_rng(seed), 200, 4)
    assert cronbach_alpha(x) == pytest.approx(alpha_from_covariance(x), abs=1e-12)
    assert 0.5 < cronbach_alpha(x) < 1.0   # the criteria share a mood: consistent


def test_only_complete_respondents_count():
    rng = np.random.default_rng(7)
    x = correlated_levels(rng, 60, 3)
    holes = x.copy()
    holes[:10, 0] = 0          # "no opinion"
    holes[10:15, 2] = -1       # any value below 1 is not an answer
    expected = alpha_by_hand(x[15:].tolist())
    assert cronbach_alpha(holes) == pytest.approx(expected, abs=1e-12)


def test_no_alpha_for_one_criterion_too_few_respondents_or_no_variation():
    x = correlated_levels(np.random.default_rng(1), 50, 3)
    assert cronbach_alpha(x[:, :1]) is None
    assert cronbach_alpha(x[:MIN_ALPHA_RESPONDENTS - 1]) is None
    assert cronbach_alpha(x[:MIN_ALPHA_RESPONDENTS]) == pytest.approx(
        alpha_by_hand(x[:MIN_ALPHA_RESPONDENTS].tolist()))
    assert cronbach_alpha(np.full((20, 3), 4)) is None


def test_score_gives_each_element_its_alpha():
    rng = np.random.default_rng(11)
    x = correlated_levels(rng, 80, 4)
    plan = ScoringPlan(elements=(("A", ("a1", "a2", "a3")), ("B", ("b1",))), satisfied_from=4)
    respondents = [Respondent({"a1": int(r[0]), "a2": int(r[1]), "a3": int(r[2]), "b1": int(r[3])})
                   for r in x]
    respondents[0] = Respondent({"a1": 5, "a2": 0, "b1": 5})   # incomplete for A: left out
    s = score(plan, respondents)
    assert s.elements["A"].alpha == pytest.approx(alpha_from_covariance(x[1:, :3]), abs=1e-12)
    assert s.elements["B"].alpha is None
