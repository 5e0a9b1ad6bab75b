"""domain.scoring_sums against domain.scoring.score on random respondents: sums of any split of
the respondents, added up, score to the same figures (indices and counts to the last bit,
intervals and alpha within 1e-9)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from survey_app.domain.cell_sums import SumsLayout, grouped_sums, sums_of
from survey_app.domain.scoring import RatingMatrix, Respondent, ScoringPlan, score
from survey_app.domain.scoring_sums import score_many, score_sums, sipas_index

PLAN = ScoringPlan(elements=(("A", ("a1", "a2", "a3")), ("B", ("b1",)), ("C", ("c1", "c2"))), satisfied_from=4,
                   expectation_options=("x", "y"))


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, tuple):
        return all(close(x, y) for x, y in zip(a, b))
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def _respondents(rng: random.Random) -> list[Respondent]:
    found = []
    for _ in range(rng.randint(0, 80)):
        ratings = {c: rng.choice([0, 1, 2, 3, 4, 5, 5]) for c in PLAN.criteria if rng.random() < 0.8}
        found.append(Respondent(ratings, frozenset(rng.sample(["x", "y", "z"], rng.randint(0, 2))) or None))
    return found


@pytest.mark.parametrize("seed", range(60))
def test_sums_score_as_the_respondents_do(seed):
    rng = random.Random(seed)
    respondents = _respondents(rng)
    expected = score(PLAN, respondents)
    layout = SumsLayout(PLAN)
    matrix = RatingMatrix.of(PLAN, respondents)
    groups = np.array([rng.randint(0, 3) for _ in respondents], dtype=np.int64)
    _, parts = grouped_sums(layout, matrix.values, matrix.answered, matrix.chosen, groups)
    total = parts.sum(axis=0) if len(parts) else np.zeros(layout.length, dtype=np.int64)
    assert np.array_equal(total, sums_of(layout, matrix.values, matrix.answered, matrix.chosen))
    found = score_sums(layout, total)
    assert (found.n, found.index) == (expected.n, expected.index)
    assert close(found.ci, expected.ci)
    assert found.criteria == expected.criteria
    for code, element in expected.elements.items():
        assert found.elements[code].index == element.index
        assert close(found.elements[code].ci, element.ci)
        assert close(found.elements[code].alpha, element.alpha)
    assert found.expectations == expected.expectations
    assert sipas_index(layout, total) == (expected.n, expected.index)


@pytest.mark.parametrize("seed", range(20))
def test_many_groups_score_at_once_as_each_alone(seed):
    """score_many of the groups' sums (one array) against score() of each group's respondents:
    groups of every size, among them empty ones, ones with a single rater and ones where
    every answer is alike (the intervals that collapse to a point)."""
    rng = random.Random(seed)
    groups = [_respondents(rng) for _ in range(12)]
    groups[3] = groups[3][:1]
    groups[5] = [Respondent({c: 5 for c in PLAN.criteria}, None) for _ in range(rng.randint(2, 9))]
    groups[7] = []
    layout = SumsLayout(PLAN)
    vectors = []
    for respondents in groups:
        matrix = RatingMatrix.of(PLAN, respondents)
        vectors.append(sums_of(layout, matrix.values, matrix.answered, matrix.chosen))
    for found, respondents in zip(score_many(layout, np.stack(vectors)), groups):
        expected = score(PLAN, respondents)
        assert (found.n, found.index, found.criteria, found.expectations) == (
            expected.n, expected.index, expected.criteria, expected.expectations)
        assert close(found.ci, expected.ci) and close(found.se, expected.se)
        for code, element in expected.elements.items():
            assert found.elements[code].index == element.index
            assert close(found.elements[code].ci, element.ci)
            assert close(found.elements[code].alpha, element.alpha)


def test_a_layout_is_named_by_its_structure():
    layout = SumsLayout(PLAN)
    assert SumsLayout.of_spec(layout.spec) == layout
    other = ScoringPlan(elements=PLAN.elements, satisfied_from=3, expectation_options=PLAN.expectation_options)
    assert SumsLayout(other).key != layout.key


@pytest.mark.parametrize("seed", range(30))
def test_weighted_sums_weigh_as_the_respondents_do(seed):
    from survey_app.domain.weighting import weighted_sipas
    from survey_app.domain.weighting_sums import weighted_sums
    rng = random.Random(seed)
    respondents = _respondents(rng)
    cells = [rng.choice("abc") for _ in respondents]
    volumes = {"a": 500, "b": rng.choice([0, 120]), "c": 40}
    expected = weighted_sipas(PLAN, respondents, cells, volumes)
    layout = SumsLayout(PLAN)
    matrix = RatingMatrix.of(PLAN, respondents)
    found_cells, sums = grouped_sums(layout, matrix.values, matrix.answered, matrix.chosen,
                                     np.array([ord(c) for c in cells], dtype=np.int64))
    found = weighted_sums(layout, list(sums), [volumes[chr(c)] for c in found_cells])
    if expected is None:
        assert found is None
        return
    assert close(found.index, expected.index) and close(found.ci, expected.ci)
    assert close(found.deff, expected.deff)
