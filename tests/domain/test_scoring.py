import math
from statistics import NormalDist

import numpy as np
import pytest

from survey_app.domain.scoring import (
    CriterionScore,
    ElementScore,
    Respondent,
    ScoringPlan,
    competition_ranks,
    score,
)

Z95 = NormalDist().inv_cdf(0.975)


def resp(expectations=None, **ratings):
    return Respondent(ratings=ratings, expectations=None if expectations is None else frozenset(expectations))


# ---------------------------------------------------------------- worked by hand

HAND_PLAN = ScoringPlan(
    elements=(("A", ("a1", "a2", "a3")), ("B", ("b1", "b2")), ("C", ("c1",))),
    satisfied_from=4,
    expectation_options=("x", "y", "z"),
)
HAND = [
    resp({"x", "y"}, a1=5, a2=4, a3=0, b1=3, b2=5, c1=0),
    resp({"x"}, a1=3, a3=2, b1=4),  # a2, b2, c1 blank
    resp(None, a1=4, a2=5, b1=0, b2=1),
    resp(set(), a1=2, a2=0, a3=4, b1=5, b2=3),  # ticked no option: did not answer
    resp(None),  # left everything blank
]


def test_hand_worked_indices():
    s = score(HAND_PLAN, HAND)
    assert s.n == 4   # the fifth rated nothing

    # a1: valid 5,3,4,2 -> satisfied 5,4.  a2: valid 4,5 (one blank, one "no opinion").
    # a3: valid 2,4.  b1: valid 3,4,5.  b2: valid 5,1,3.  c1: only "no opinion" -> no valid answer.
    expected = {"a1": (4, 2), "a2": (2, 2), "a3": (2, 1), "b1": (3, 2), "b2": (3, 1), "c1": (0, 0)}
    for code, (n, k) in expected.items():
        c = s.criteria[code]
        assert (c.n, c.satisfied) == (n, k), code
    assert s.criteria["a1"].index == pytest.approx(100 * 2 / 4)
    assert s.criteria["a2"].index == pytest.approx(100 * 2 / 2)
    assert s.criteria["a3"].index == pytest.approx(100 * 1 / 2)
    assert s.criteria["b1"].index == pytest.approx(100 * 2 / 3)
    assert s.criteria["b2"].index == pytest.approx(100 * 1 / 3)
    assert s.criteria["c1"] == CriterionScore(n=0, satisfied=0, index=None, ci=None)

    element_a = (100 * 2 / 4 + 100 * 2 / 2 + 100 * 1 / 2) / 3
    element_b = (100 * 2 / 3 + 100 * 1 / 3) / 2
    assert s.elements["A"].index == pytest.approx(element_a)
    assert s.elements["B"].index == pytest.approx(element_b)
    assert s.elements["C"] == ElementScore(index=None, ci=None)  # skipped, not counted as 0
    assert s.index == pytest.approx((element_a + element_b) / 2)

    assert list(s.elements) == ["A", "B", "C"]
    assert list(s.criteria) == ["a1", "a2", "a3", "b1", "b2", "c1"]


def test_hand_worked_expectation_shares():
    # Respondents 1 and 2 answered; 3 and 5 skipped; 4 ticked nothing, which is skipping too.
    s = score(HAND_PLAN, HAND)
    assert s.expectations == {"x": pytest.approx(100 * 2 / 2), "y": pytest.approx(100 * 1 / 2), "z": 0.0}
    assert list(s.expectations) == ["x", "y", "z"]


def test_satisfied_from_is_taken_from_the_plan():
    # A 7-point scale where only 6 and 7 count.
    plan = ScoringPlan(elements=(("E", ("q",)),), satisfied_from=6)
    s = score(plan, [resp(q=7), resp(q=6), resp(q=5), resp(q=4), resp(q=0)])
    assert (s.criteria["q"].n, s.criteria["q"].satisfied) == (4, 2)
    assert s.criteria["q"].index == pytest.approx(100 * 2 / 4)


def test_hand_worked_linearised_element_interval():
    # Element E = mean(p1, p2). r1: x1=5 x2=5; r2: x1=1 (x2 blank); r3: x1=5 x2=1.
    plan = ScoringPlan(elements=(("E", ("x1", "x2")),), satisfied_from=4)
    # 50% confidence keeps the interval away from the 0-100 clipping.
    s = score(plan, [resp(x1=5, x2=5), resp(x1=1), resp(x1=5, x2=1)], confidence=0.5)
    q = NormalDist().inv_cdf(0.75)
    p1, p2 = 2 / 3, 1 / 2
    # u_i1 = (y - p1 v) / 3 and u_i2 = (y - p2 v) / 2; z_i = (u_i1 + u_i2) / 2.
    z = [
        ((1 - p1) / 3 + (1 - p2) / 2) / 2,
        ((0 - p1) / 3 + 0) / 2,
        ((1 - p1) / 3 + (0 - p2) / 2) / 2,
    ]
    se = math.sqrt(3 / 2 * sum(v * v for v in z))
    index = 100 * (p1 + p2) / 2
    assert s.elements["E"].index == pytest.approx(index)
    assert s.elements["E"].ci == pytest.approx((index - q * 100 * se, index + q * 100 * se))
    # One element: the SIPAS index and its interval are the element's.
    assert s.index == pytest.approx(index)
    assert s.ci == pytest.approx(s.elements["E"].ci)


# ---------------------------------------------------------------- Wilson


def wilson_closed_form(k, n, confidence):
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p_hat = k / n
    denominator = 1 + z * z / n
    centre = (p_hat + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p_hat * (1 - p_hat) / n + z * z / (4 * n * n))
    return (100 * (centre - half), 100 * (centre + half))


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (3, 4), (0, 12), (12, 12), (37, 50), (812, 1000)])
@pytest.mark.parametrize("confidence", [0.95, 0.90])
def test_criterion_interval_is_wilson(k, n, confidence):
    plan = ScoringPlan(elements=(("E", ("q",)),), satisfied_from=4)
    respondents = [resp(q=5)] * k + [resp(q=2)] * (n - k) + [resp(q=0), resp()]
    c = score(plan, respondents, confidence=confidence).criteria["q"]
    low, high = wilson_closed_form(k, n, confidence)
    assert c.ci[0] == pytest.approx(low, abs=1e-9)
    assert c.ci[1] == pytest.approx(high, abs=1e-9)


# ---------------------------------------------------------------- linearisation vs other methods


def correlated_sample(rng, n, n_criteria, blank=0.12, no_opinion=0.05):
    """Ratings driven by a per-respondent mood, so one person's answers are positively correlated."""
    mood = rng.normal(0.0, 1.0, size=(n, 1))
    quality = rng.normal(0.0, 0.4, size=(1, n_criteria))
    latent = 3.4 + 1.1 * mood + quality + rng.normal(0.0, 0.7, size=(n, n_criteria))
    values = np.clip(np.rint(latent), 1, 5).astype(int)
    values[rng.random((n, n_criteria)) < no_opinion] = 0
    values[rng.random((n, n_criteria)) < blank] = -1  # -1 marks blank in this test only
    return values


def to_respondents(values, codes):
    return [Respondent({c: int(v) for c, v in zip(codes, row) if v >= 0}) for row in values]


def reference_indices(values, groups, satisfied_from):
    """Element and SIPAS indices straight from the definitions, for recomputation without one respondent."""
    valid = values > 0
    satisfied = values >= satisfied_from
    elements = []
    for cols in groups:
        indices = [100 * satisfied[:, c].sum() / valid[:, c].sum() for c in cols if valid[:, c].sum() > 0]
        elements.append(float(np.mean(indices)))
    return elements, float(np.mean(elements))


def jackknife_se(values, groups, satisfied_from):
    keep = (values > 0).any(axis=1)  # only respondents who answered something change the estimate
    values = values[keep]
    m = len(values)
    replicates = np.array(
        [
            [*e, total]
            for e, total in (
                reference_indices(np.delete(values, i, axis=0), groups, satisfied_from) for i in range(m)
            )
        ]
    )
    return np.sqrt((m - 1) / m * ((replicates - replicates.mean(axis=0)) ** 2).sum(axis=0))


def half_width_se(ci, confidence=0.95):
    return (ci[1] - ci[0]) / 2 / NormalDist().inv_cdf(0.5 + confidence / 2)


def test_linearised_standard_errors_agree_with_delete_one_jackknife():
    rng = np.random.default_rng(20240601)
    groups = [[0, 1, 2, 3], [4, 5, 6], [7, 8]]
    codes = [f"q{j}" for j in range(9)]
    values = correlated_sample(rng, 300, len(codes))
    plan = ScoringPlan(
        elements=tuple((f"E{e}", tuple(codes[j] for j in cols)) for e, cols in enumerate(groups)),
        satisfied_from=4,
    )
    s = score(plan, to_respondents(values, codes))

    elements, total = reference_indices(values, groups, 4)
    assert [s.elements[f"E{e}"].index for e in range(3)] == pytest.approx(elements)
    assert s.index == pytest.approx(total)

    jack = jackknife_se(values, groups, 4)
    linearised = [half_width_se(s.elements[f"E{e}"].ci) for e in range(3)] + [half_width_se(s.ci)]
    for got, want in zip(linearised, jack):
        assert got == pytest.approx(want, rel=0.01)

    # The correlation matters: treating every answer as independent understates the SIPAS error.
    valid, sat = values > 0, values >= 4
    p = sat.sum(0) / valid.sum(0)
    naive_var = sum(
        sum(p[c] * (1 - p[c]) / valid[:, c].sum() for c in cols) / len(cols) ** 2 for cols in groups
    ) / len(groups) ** 2
    assert half_width_se(s.ci) / 100 > 1.5 * math.sqrt(naive_var)


@pytest.mark.parametrize("confidence", [0.95, 0.90])
def test_one_criterion_per_element_with_independent_respondents_matches_wald(confidence):
    # Three groups of respondents, each answering one element's only criterion.
    plan = ScoringPlan(elements=(("A", ("a",)), ("B", ("b",)), ("C", ("c",))), satisfied_from=4)
    counts = {"a": (130, 200), "b": (250, 400), "c": (81, 90)}  # (satisfied, valid)
    respondents = []
    for code, (k, n) in counts.items():
        respondents += [resp(**{code: 5})] * k + [resp(**{code: 3})] * (n - k)
    s = score(plan, respondents, confidence=confidence)

    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    for element, (code, (k, n)) in zip("ABC", counts.items()):
        p = k / n
        ci = s.elements[element].ci
        # Linearisation of a single proportion over n contributors: p(1-p)/(n-1).
        assert ci == pytest.approx((100 * (p - z * math.sqrt(p * (1 - p) / (n - 1))),
                                    100 * (p + z * math.sqrt(p * (1 - p) / (n - 1)))))
        wald = 2 * z * 100 * math.sqrt(p * (1 - p) / n)
        wilson = wilson_closed_form(k, n, confidence)
        assert ci[1] - ci[0] == pytest.approx(wald, rel=0.01)
        assert ci[1] - ci[0] == pytest.approx(wilson[1] - wilson[0], rel=0.03)

    # Independent groups: Var(mean of three) = sum of the variances / 9.
    total_n = sum(n for _, n in counts.values())
    var = sum(k / n * (1 - k / n) / n for k, n in counts.values()) / 9 * total_n / (total_n - 1)
    assert half_width_se(s.ci, confidence) / 100 == pytest.approx(math.sqrt(var))


def test_sipas_interval_covers_the_true_index_about_95_percent_of_the_time():
    # Two kinds of citizen (pleased / displeased, half each) give correlated answers; blanks are
    # random, so each criterion's true proportion is the mean of the two kinds' probabilities.
    rng = np.random.default_rng(7)
    pleased = np.array([0.95, 0.9, 0.85, 0.9, 0.8, 0.9, 0.85])
    displeased = np.array([0.5, 0.3, 0.45, 0.35, 0.2, 0.4, 0.3])
    groups = [[0, 1, 2], [3, 4], [5, 6]]
    true_p = (pleased + displeased) / 2
    truth = 100 * np.mean([true_p[cols].mean() for cols in groups])
    codes = [f"q{j}" for j in range(7)]
    plan = ScoringPlan(
        elements=tuple((f"E{e}", tuple(codes[j] for j in cols)) for e, cols in enumerate(groups)),
        satisfied_from=4,
    )
    hits = 0
    runs = 500
    for _ in range(runs):
        kind = rng.random((200, 1)) < 0.5
        sat = rng.random((200, 7)) < np.where(kind, pleased, displeased)
        values = np.where(sat, 5, 2)
        values[rng.random((200, 7)) < 0.15] = -1
        low, high = score(plan, to_respondents(values, codes)).ci
        hits += low <= truth <= high
    # 500 runs: one binomial standard error is about 1 point.
    assert 0.92 <= hits / runs <= 0.98


def test_blank_respondents_change_neither_n_nor_the_intervals():
    rng = np.random.default_rng(3)
    codes = [f"q{j}" for j in range(5)]
    plan = ScoringPlan(elements=(("A", tuple(codes[:3])), ("B", tuple(codes[3:]))), satisfied_from=4)
    respondents = to_respondents(correlated_sample(rng, 60, 5), codes)
    base = score(plan, respondents)
    padded = score(plan, respondents + [resp()] * 40 + [resp(q0=0, q4=0)] * 10)
    # n counts respondents with at least one rating on the scale; blank and "no opinion" do not rate.
    rated = sum(any(v > 0 for v in r.ratings.values()) for r in respondents)
    assert base.n == padded.n == rated
    assert padded.ci == pytest.approx(base.ci)
    assert padded.elements["A"].ci == pytest.approx(base.elements["A"].ci)
    assert padded.criteria == base.criteria


# ---------------------------------------------------------------- edge cases

EDGE_PLAN = ScoringPlan(elements=(("A", ("a1", "a2")), ("B", ("b1",))), satisfied_from=4, expectation_options=("x",))


def test_all_satisfied():
    s = score(EDGE_PLAN, [resp(a1=5, a2=4, b1=5), resp(a1=4, a2=5, b1=4), resp(a1=5, b1=5)])
    assert s.index == 100.0
    assert s.ci == (100.0, 100.0)  # a Wald-type interval has no width with no variation
    assert s.elements["A"] == ElementScore(index=100.0, ci=(100.0, 100.0))
    a1 = s.criteria["a1"]
    assert a1.index == 100.0 and a1.ci[1] == pytest.approx(100.0)
    assert a1.ci[0] == pytest.approx(wilson_closed_form(3, 3, 0.95)[0])


def test_none_satisfied():
    s = score(EDGE_PLAN, [resp(a1=1, a2=3, b1=2), resp(a1=2, a2=1, b1=3)])
    assert s.index == 0.0
    assert s.ci == (0.0, 0.0)
    assert s.criteria["b1"].index == 0.0 and s.criteria["b1"].ci[0] == pytest.approx(0.0, abs=1e-12)
    assert s.criteria["b1"].ci[1] == pytest.approx(wilson_closed_form(0, 2, 0.95)[1])


def test_interval_is_clipped_to_0_100():
    plan = ScoringPlan(elements=(("E", ("q",)),), satisfied_from=4)
    s = score(plan, [resp(q=5)] + [resp(q=1)] * 9)
    half = 100 * Z95 * math.sqrt(0.1 * 0.9 / 9)
    assert half > 10
    assert s.ci == pytest.approx((0.0, 10 + half))


def test_zero_respondents():
    s = score(EDGE_PLAN, [])
    assert (s.n, s.index, s.ci) == (0, None, None)
    assert s.elements == {"A": ElementScore(None, None), "B": ElementScore(None, None)}
    assert s.criteria == {c: CriterionScore(0, 0, None, None) for c in ("a1", "a2", "b1")}
    assert s.expectations == {"x": None}


def test_one_respondent_has_indices_but_no_element_or_sipas_interval():
    s = score(EDGE_PLAN, [resp({"x"}, a1=5, a2=2, b1=4)])
    assert s.n == 1
    assert s.elements["A"].index == pytest.approx((100 + 0) / 2)
    assert s.index == pytest.approx((50 + 100) / 2)
    assert s.elements["A"].ci is None and s.ci is None
    assert s.criteria["a1"].ci == pytest.approx(wilson_closed_form(1, 1, 0.95))
    assert s.expectations == {"x": 100.0}


def test_only_blank_respondents():
    s = score(EDGE_PLAN, [resp({"x"}), resp(a1=0, b1=0)])
    assert (s.n, s.index, s.ci) == (0, None, None)   # nobody rated: nobody counts in n
    assert s.expectations == {"x": 100.0}   # the expectation answer still counts where it belongs


def test_codes_outside_the_plan_are_ignored():
    s = score(EDGE_PLAN, [resp({"x", "old"}, a1=5, retired=1), resp({"old"}, a1=1)])
    assert (s.criteria["a1"].n, s.criteria["a1"].satisfied) == (2, 1)
    assert s.expectations == {"x": pytest.approx(100 * 1 / 2)}  # both answered the question


def test_empty_expectation_set_is_the_same_as_not_answering():
    assert Respondent({}, frozenset()) == Respondent({}, None)


def test_no_expectation_question():
    plan = ScoringPlan(elements=(("E", ("q",)),), satisfied_from=4)
    assert score(plan, [resp({"x"}, q=5)]).expectations == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"elements": (("A", ("q",)), ("B", ("q",))), "satisfied_from": 4}, "duplicate criterion.*q"),
        ({"elements": (("A", ("q",)), ("A", ("r",))), "satisfied_from": 4}, "duplicate element.*A"),
        ({"elements": (("A", ("q",)),), "satisfied_from": 4, "expectation_options": ("x", "x")}, "option.*x"),
        ({"elements": (("A", ("q",)),), "satisfied_from": 0}, "satisfied_from"),
    ],
)
def test_invalid_plans_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ScoringPlan(**kwargs)


def test_plan_given_as_lists_is_stored_as_tuples():
    plan = ScoringPlan(elements=[("A", ["q", "r"])], satisfied_from=4, expectation_options=["x"])
    assert plan.elements == (("A", ("q", "r")),)
    assert plan.expectation_options == ("x",)
    hash(plan)


def test_negative_rating_and_bad_confidence_are_rejected():
    with pytest.raises(ValueError, match="a2"):
        score(EDGE_PLAN, [resp(a1=4, a2=-1)])
    with pytest.raises(ValueError, match="confidence"):
        score(EDGE_PLAN, [], confidence=95)


# ---------------------------------------------------------------- ranks


@pytest.mark.parametrize(
    ("values", "ranks"),
    [
        ([90, 80, 80, 70], [1, 2, 2, 4]),
        ([70, 80, 90, 80], [4, 2, 1, 2]),
        ([None, 50.0, 70.5, None, 70.5], [None, 3, 1, None, 1]),
        ([60.0, float("nan"), 60.0], [1, None, 1]),
        ([None, None], [None, None]),
        ([42.0], [1]),
        ([], []),
    ],
)
def test_competition_ranks(values, ranks):
    assert competition_ranks(values) == ranks


def test_the_sipas_standard_error_is_the_textbook_one_for_a_single_criterion():
    # One element of one criterion: the linearised variance is p(1-p)/(n-1) (docstring of
    # _linearised_ci); 7 satisfied of 10 gives 100*sqrt(0.21/9) points.
    plan = ScoringPlan(elements=[("e", ["c"])], satisfied_from=4)
    respondents = [Respondent({"c": 5})] * 7 + [Respondent({"c": 2})] * 3
    result = score(plan, respondents)
    assert result.se == pytest.approx(100 * math.sqrt(0.7 * 0.3 / 9), rel=1e-12)
    half = NormalDist().inv_cdf(0.975) * result.se
    assert result.ci == pytest.approx((70 - half, 70 + half), rel=1e-12)


def test_a_single_respondent_has_no_standard_error():
    plan = ScoringPlan(elements=[("e", ["c"])], satisfied_from=4)
    assert score(plan, [Respondent({"c": 5})]).se is None
    assert score(plan, []).se is None
