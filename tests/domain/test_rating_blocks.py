"""domain.rating_blocks and scoring.score_blocks: any range of blocks scores bit for bit as the
straightforward matrix computation that ``score`` was before blocks existed (kept below as the
reference), fed the same respondents in the same order."""

from __future__ import annotations

import random

import numpy as np
import pytest

from survey_app.domain.rating_blocks import PATTERN_CRITERIA, RatingBlocks, RatingMatrix
from survey_app.domain.reliability import cronbach_alpha
from survey_app.domain.scoring import (
    CriterionScore,
    ElementScore,
    Respondent,
    Scores,
    ScoringPlan,
    _linearised_ci,
    _linearised_se,
    _normal_quantile,
    _wilson,
    score,
    score_blocks,
)

PLAN = ScoringPlan(
    elements=(("A", ("a1", "a2", "a3")), ("B", ("b1", "b2")), ("C", ("c1",)),
              ("D", tuple(f"d{i}" for i in range(PATTERN_CRITERIA + 1)))),  # D: read row by row
    satisfied_from=4, expectation_options=("x", "y", "z"))


def reference_score(plan: ScoringPlan, respondents: list[Respondent]) -> Scores:
    """``score`` as it was: one respondents x criteria matrix, influence values of every criterion."""
    codes = plan.criteria
    values = np.zeros((len(respondents), len(codes)), dtype=np.int64)
    for j, code in enumerate(codes):
        values[:, j] = [r.ratings.get(code, 0) for r in respondents]
    valid, satisfied = values > 0, values >= plan.satisfied_from
    n_valid, n_sat = valid.sum(axis=0), satisfied.sum(axis=0)
    scored = n_valid > 0
    p = np.divide(n_sat, n_valid, out=np.zeros(len(codes)), where=scored)
    influence = np.divide(satisfied - p * valid, n_valid, out=np.zeros(values.shape), where=scored)
    criteria = {code: CriterionScore(n=int(n_valid[j]), satisfied=int(n_sat[j]),
                                     index=100.0 * int(n_sat[j]) / int(n_valid[j]) if n_valid[j] else None,
                                     ci=_wilson(int(n_sat[j]), int(n_valid[j]), 0.95))
                for j, code in enumerate(codes)}
    q = _normal_quantile(0.95)
    elements, element_index, element_z = {}, [], []
    for element_code, element_criteria in plan.elements:
        all_cols = [codes.index(c) for c in element_criteria]
        cols = [j for j in all_cols if scored[j]]
        if not cols:
            elements[element_code] = ElementScore(index=None, ci=None)
            continue
        index = float(np.mean([criteria[codes[j]].index for j in cols]))
        z = influence[:, cols].mean(axis=1)
        contributing = int(valid[:, cols].any(axis=1).sum())
        elements[element_code] = ElementScore(index=index, ci=_linearised_ci(index, z, contributing, q),
                                              alpha=cronbach_alpha(values[:, all_cols]))
        element_index.append(index)
        element_z.append(z)
    raters = int(valid.any(axis=1).sum())
    sipas = float(np.mean(element_index)) if element_index else None
    ci = _linearised_ci(sipas, np.mean(element_z, axis=0), raters, q) if element_index else None
    se = _linearised_se(np.mean(element_z, axis=0), raters) if element_index else None
    answered = sum(1 for r in respondents if r.expectations)
    shares = {o: 100.0 * sum(1 for r in respondents if r.expectations and o in r.expectations) / answered
              if answered else None for o in plan.expectation_options}
    return Scores(n=raters, index=sipas, ci=ci, elements=elements, criteria=criteria, expectations=shares,
                  se=se)


def random_respondents(rng: random.Random, n: int) -> list[Respondent]:
    options = [None, frozenset(), frozenset({"x"}), frozenset({"y", "z"}), frozenset({"retired"})]
    respondents = []
    for _ in range(n):
        # Blanks (absent), "no opinion" (0); b1 and b2 mostly blank, so that small ranges leave them unscored.
        ratings = {c: rng.choice((0, 1, 2, 3, 4, 5)) for c in PLAN.criteria
                   if rng.random() < (0.15 if c.startswith("b") else 0.8)}
        respondents.append(Respondent({**ratings, "retired": 3}, rng.choice(options)))
    return respondents


@pytest.mark.parametrize("n", [0, 1, 7, 40, 2500])
def test_every_range_of_blocks_scores_as_the_reference(n):
    rng = random.Random(n)
    respondents = random_respondents(rng, n)
    # Empty blocks included, at the start, in the middle and at the end.
    cuts = sorted(rng.choices(range(n + 1), k=5))
    bounds = [0, 0, *cuts, n, n]
    full = RatingMatrix.of(PLAN, respondents)
    # The service's matrices are uint8: the figures must not depend on the integer type.
    blocks = RatingBlocks.of(PLAN, RatingMatrix(full.values.astype(np.uint8), full.chosen, full.answered), bounds)
    for first in range(len(bounds) - 1):
        for last in range(first, len(bounds)):
            expected = reference_score(PLAN, respondents[bounds[first]:bounds[last]])
            assert score_blocks(PLAN, blocks, first, last) == expected, (first, last)
    assert score(PLAN, respondents) == reference_score(PLAN, respondents)
    if n == 2500:  # the random data reach every figure
        whole = score(PLAN, respondents)
        assert all(e.ci is not None and e.alpha is not None for code, e in whole.elements.items() if code != "C")


def test_a_negative_level_is_refused():
    with pytest.raises(ValueError, match="negative rating for criterion 'a2'"):
        score(PLAN, [Respondent({"a1": 3, "a2": -1})])
