"""Scores from additive sums (domain/cell_sums.py): the same figures as domain.scoring.score.

Counts and the indices made of them (criterion, element and SIPAS indices, expectation shares)
are computed by the very expressions ``score`` uses, so they are equal to the last bit. The
linearised intervals need sum_i z_i^2, z_i being a respondent's influence value; z is a linear
combination of the criteria's u_ic = (y_ic - p_c v_ic) / n_c, so

    sum_i z_i^2 = a' S a,   S_cc' = (yy_cc' - p_c' yv_cc' - p_c yv_c'c + p_c p_c' vv_cc') / (n_c n_c')

with a the weights of the criteria in the mean (1/k within an element; 1/(E k_e) for SIPAS).
Alpha comes from the complete respondents' sums of levels and of their products, in integers.
Both agree with the row by row figures to rounding (tests compare within 1e-9).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from survey_app.domain.cell_sums import SumsLayout
from survey_app.domain.reliability import MIN_ALPHA_RESPONDENTS
from survey_app.domain.scoring import CriterionScore, ElementScore, Scores, _normal_quantile, _wilson

__all__ = ["sipas_index", "score_sums"]


def _interval(index: float, zz: float, contributing: int, q: float) -> tuple[float, float] | None:
    """domain.scoring._linearised_ci from sum z^2."""
    if contributing < 2:
        return None
    variance = contributing / (contributing - 1) * zz
    half = q * 100.0 * math.sqrt(max(variance, 0.0))
    return (max(0.0, index - half), min(100.0, index + half))


def _alpha(m: int, xs: np.ndarray, xx: np.ndarray) -> float | None:
    """Cronbach's alpha (domain.reliability) from m complete respondents' sums of levels ``xs``
    and of their products ``xx`` (k x k), the variances in exact integers."""
    k = len(xs)
    if k < 2 or m < MIN_ALPHA_RESPONDENTS:
        return None
    sums = [int(s) for s in xs]
    products = [[int(xx[i, j]) for j in range(k)] for i in range(k)]
    spread = [[m * products[i][j] - sums[i] * sums[j] for j in range(k)] for i in range(k)]
    total = sum(sum(row) for row in spread)
    if total == 0:
        return None
    return float(k / (k - 1) * (1 - sum(spread[i][i] for i in range(k)) / total))


def pair_matrix(layout: SumsLayout, vector: np.ndarray, p: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """S_cc' as above, each u_c divided by ``scale[c]`` instead of n_c (0 where unscored)."""
    parts, k = layout.parts, layout.k
    yy = vector[parts["yy"]].reshape(k, k).astype(float)
    yv = vector[parts["yv"]].reshape(k, k).astype(float)
    vv = vector[parts["vv"]].reshape(k, k).astype(float)
    pyv = yv * p[None, :]
    s = yy - pyv - pyv.T + np.outer(p, p) * vv
    inverse = np.divide(1.0, scale, out=np.zeros(k), where=scale > 0)
    return s * np.outer(inverse, inverse)


def quadratic(layout: SumsLayout, vector: np.ndarray, p: np.ndarray, scale: np.ndarray, a: np.ndarray,
              exact=None, s: np.ndarray | None = None) -> float:
    """a' S a (S: ``pair_matrix``), the sum of the respondents' z^2.

    Near zero it is a difference of much larger terms (an interval that should collapse to a
    point, every answer alike, came out 4e-7 wide), so there it is computed again in exact
    fractions: of ``exact`` (p, scale, a as Fractions) when given, else of the floats as they are."""
    s = pair_matrix(layout, vector, p, scale) if s is None else s
    value = float(a @ s @ a)
    magnitude = float(np.abs(a[:, None] * a[None, :] * s).sum())
    if value > 1e-7 * magnitude:
        return value
    p_x, scale_x, a_x = exact() if exact is not None else (
        [Fraction(float(x)) for x in p], [Fraction(float(x)) for x in scale], [Fraction(float(x)) for x in a])
    parts, k = layout.parts, layout.k
    yy, yv, vv = (vector[parts[name]].reshape(k, k) for name in ("yy", "yv", "vv"))
    cols = [j for j in range(k) if a_x[j] != 0 and scale_x[j] != 0]
    total = Fraction(0)
    for c in cols:
        for d in cols:
            term = int(yy[c, d]) - p_x[d] * int(yv[c, d]) - p_x[c] * int(yv[d, c]) + p_x[c] * p_x[d] * int(vv[c, d])
            total += a_x[c] * a_x[d] * term / (scale_x[c] * scale_x[d])
    return float(total)


def score_sums(layout: SumsLayout, vector: np.ndarray, confidence: float = 0.95) -> Scores:
    """``domain.scoring.score`` of the respondents whose sums ``vector`` holds."""
    plan, parts, k = layout.plan, layout.parts, layout.k
    codes = plan.criteria
    diagonal = np.arange(k) * (k + 1)
    n_valid = vector[parts["vv"]][diagonal]
    n_sat = vector[parts["yy"]][diagonal]
    scored = n_valid > 0
    p = np.divide(n_sat, n_valid, out=np.zeros(k), where=scored)
    criteria: dict[str, CriterionScore] = {}
    for j, code in enumerate(codes):
        kk, n = int(n_sat[j]), int(n_valid[j])
        index = 100.0 * kk / n if n else None
        criteria[code] = CriterionScore(n=n, satisfied=kk, index=index, ci=_wilson(kk, n, confidence))

    q = _normal_quantile(confidence)
    n_float = n_valid.astype(float)
    s = pair_matrix(layout, vector, p, n_float)

    def p_x() -> list[Fraction]:
        return [Fraction(int(n_sat[j]), int(n_valid[j])) if n_valid[j] else Fraction(0) for j in range(k)]

    def n_x() -> list[Fraction]:
        return [Fraction(int(n)) for n in n_valid]
    contributing = vector[parts["contributing"]]
    complete = vector[parts["complete"]]
    xs_all, xx_all = vector[parts["xs"]], vector[parts["xx"]]
    elements: dict[str, ElementScore] = {}
    element_index: list[float] = []
    weights = np.zeros(k)
    xs_at = xx_at = 0
    scored_elements = []
    for e, ((element_code, _), columns) in enumerate(zip(plan.elements, layout.element_columns)):
        size = len(columns)
        xs, xx = xs_all[xs_at:xs_at + size], xx_all[xx_at:xx_at + size * size].reshape(size, size)
        xs_at, xx_at = xs_at + size, xx_at + size * size
        cols = [j for j in columns if scored[j]]
        if not cols:
            elements[element_code] = ElementScore(index=None, ci=None)
            continue
        index = float(np.mean([criteria[codes[j]].index for j in cols]))
        a = np.zeros(k)
        a[cols] = 1.0 / len(cols)

        def exact(cols=cols) -> tuple[list, list, list]:
            return p_x(), n_x(), [Fraction(1, len(cols)) if j in cols else Fraction(0) for j in range(k)]

        ci = _interval(index, quadratic(layout, vector, p, n_float, a, exact, s), int(contributing[e]), q)
        elements[element_code] = ElementScore(index=index, ci=ci, alpha=_alpha(int(complete[e]), xs, xx))
        element_index.append(index)
        scored_elements.append(cols)
    raters = int(vector[parts["raters"]][0])
    if element_index:
        sipas = float(np.mean(element_index))
        for cols in scored_elements:
            weights[cols] += 1.0 / (len(scored_elements) * len(cols))

        def exact_sipas() -> tuple[list, list, list]:
            weights_x = [Fraction(0)] * k
            for cols in scored_elements:
                for j in cols:
                    weights_x[j] += Fraction(1, len(scored_elements) * len(cols))
            return p_x(), n_x(), weights_x

        sipas_ci = _interval(sipas, quadratic(layout, vector, p, n_float, weights, exact_sipas, s), raters, q)
    else:
        sipas, sipas_ci = None, None
    answered = int(vector[parts["answered"]][0])
    chosen = vector[parts["chosen"]]
    expectations = {code: (100.0 * int(chosen[j]) / answered if answered else None)
                    for j, code in enumerate(plan.expectation_options)}
    return Scores(n=raters, index=sipas, ci=sipas_ci, elements=elements, criteria=criteria,
                  expectations=expectations)


def sipas_index(layout: SumsLayout, vector: np.ndarray) -> tuple[int, float | None]:
    """(n, SIPAS index) only, as ``score_sums`` gives them: what a rank needs."""
    _plan, parts, k = layout.plan, layout.parts, layout.k
    diagonal = np.arange(k) * (k + 1)
    n_valid, n_sat = vector[parts["vv"]][diagonal], vector[parts["yy"]][diagonal]
    element_index = []
    for columns in layout.element_columns:
        indices = [100.0 * int(n_sat[j]) / int(n_valid[j]) for j in columns if n_valid[j] > 0]
        if indices:
            element_index.append(float(np.mean(indices)))
    return int(vector[parts["raters"]][0]), float(np.mean(element_index)) if element_index else None


def sipas_indices(layout: SumsLayout, vectors: np.ndarray) -> tuple[np.ndarray, list[float | None]]:
    """``sipas_index`` of each row of ``vectors`` (units x layout): (n per row, index per row)."""
    parts, k = layout.parts, layout.k
    diagonal = np.arange(k) * (k + 1)
    n_valid = vectors[:, parts["vv"]][:, diagonal]
    n_sat = vectors[:, parts["yy"]][:, diagonal]
    raters = vectors[:, parts["raters"]][:, 0]
    found: list[float | None] = []
    for valid, satisfied in zip(n_valid.tolist(), n_sat.tolist()):
        element_index = []
        for columns in layout.element_columns:
            indices = [100.0 * satisfied[j] / valid[j] for j in columns if valid[j] > 0]
            if indices:
                element_index.append(float(np.mean(indices)))
        found.append(float(np.mean(element_index)) if element_index else None)
    return raters, found
