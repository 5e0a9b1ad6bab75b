"""Scores from additive sums (domain/cell_sums.py): the same figures as domain.scoring.score.

Counts and the indices made of them (criterion, element and SIPAS indices, expectation shares)
are computed by the very expressions ``score`` uses, so they are equal to the last bit. The
linearised intervals need sum_i z_i^2, z_i being a respondent's influence value; z is a linear
combination of the criteria's u_ic = (y_ic - p_c v_ic) / n_c, so

    sum_i z_i^2 = a' S a,   S_cc' = (yy_cc' - p_c' yv_cc' - p_c yv_c'c + p_c p_c' vv_cc') / (n_c n_c')

with a the weights of the criteria in the mean (1/k within an element; 1/(E k_e) for SIPAS).
Alpha comes from the complete respondents' sums of levels and of their products, in integers.
Both agree with the row by row figures to rounding (tests compare within 1e-9).

``score_many`` scores many groups at once (a province's units, a unit's weeks) with array
operations; ``score_sums`` is its one-group case, so there is one way to score sums.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from survey_app.domain.cell_sums import SumsLayout, criterion_counts
from survey_app.domain.pair_quadratic import quadratics
from survey_app.domain.reliability import MIN_ALPHA_RESPONDENTS
from survey_app.domain.scoring import CriterionScore, ElementScore, Scores, _normal_quantile

__all__ = ["score_many", "score_sums", "sipas_index", "sipas_indices"]


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


_EXACT = 2 ** 53  # integers below it convert to float exactly, so int64 arithmetic matches Python's


def _row_means(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Each row's ``np.mean`` of its present values (NaN where none is), bit for bit as the
    row by row code takes it: rows are grouped by which values they have, and each group's
    rows averaged along a contiguous axis (numpy sums a row there as it sums a 1-d array)."""
    found = np.full(len(values), np.nan)
    patterns, which = np.unique(present, axis=0, return_inverse=True)
    for number, pattern in enumerate(patterns):
        if pattern.any():
            rows = np.flatnonzero(which.reshape(-1) == number)
            found[rows] = np.mean(np.ascontiguousarray(values[np.ix_(rows, np.flatnonzero(pattern))]), axis=1)
    return found


def _indices(layout: SumsLayout, vectors: np.ndarray):
    """(valid answers, satisfied answers, criterion indices, element indices, SIPAS index) of
    each row; an index is NaN where nothing scores it."""
    return _indices_of_counts(layout, criterion_counts(layout, vectors))


def _indices_of_counts(layout: SumsLayout, counts: np.ndarray):
    """``_indices`` from ``criterion_counts``."""
    k = layout.k
    n_valid, n_sat = counts[:, 1:1 + k], counts[:, 1 + k:1 + 2 * k]
    scored = n_valid > 0
    criterion = np.divide(100.0 * n_sat, n_valid, out=np.full(n_valid.shape, np.nan), where=scored)
    element = np.stack([_row_means(criterion[:, list(columns)], scored[:, list(columns)])
                        for columns in layout.element_columns], axis=1) if layout.element_columns else \
        np.zeros((len(counts), 0))
    sipas = _row_means(element, ~np.isnan(element))
    return n_valid, n_sat, criterion, element, sipas


def _wilson_many(k: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """domain.scoring._wilson of each (k, n), n > 0, in the same operations and order."""
    p = k / n
    z2 = z**2
    denominator = 2 * (n + z2)
    centre = (2 * n * p + z2) / denominator
    delta = z / denominator * np.sqrt(4 * n * p * (1 - p) + z2)
    low = np.where(k == 0, 0.0, centre - delta)
    high = np.where(k == n, 1.0, centre + delta)
    return 100.0 * low, 100.0 * high


def _intervals(index: np.ndarray, zz: np.ndarray, contributing: np.ndarray, q: float):
    """``_interval`` of each row: (low, high, standard error in points); NaN where fewer than
    two contribute."""
    ok = contributing >= 2
    variance = np.divide(contributing, contributing - 1, out=np.full(len(zz), np.nan), where=ok) * zz
    root = np.sqrt(np.maximum(variance, 0.0))
    half = q * 100.0 * root
    return np.maximum(0.0, index - half), np.minimum(100.0, index + half), np.where(ok, 100.0 * root, np.nan)


def _alphas(layout: SumsLayout, vectors: np.ndarray) -> np.ndarray:
    """``_alpha`` of each row and element (rows x elements; NaN for None), in exact integers."""
    parts = layout.parts
    complete = vectors[:, parts["complete"]]
    xs_all, xx_all = vectors[:, parts["xs"]], vectors[:, parts["xx"]]
    found = np.full(complete.shape, np.nan)
    xs_at = xx_at = 0
    for e, columns in enumerate(layout.element_columns):
        size = len(columns)
        xs = xs_all[:, xs_at:xs_at + size]
        xx = xx_all[:, xx_at:xx_at + size * size].reshape(-1, size, size)
        xs_at, xx_at = xs_at + size, xx_at + size * size
        m = complete[:, e]
        chosen = np.flatnonzero(m >= MIN_ALPHA_RESPONDENTS) if size >= 2 else np.zeros(0, dtype=np.int64)
        if not len(chosen):
            continue
        m, xs, xx = m[chosen], xs[chosen], xx[chosen]
        if int(m.max()) * int(xx.max(initial=0)) * size * size >= _EXACT:
            found[chosen, e] = [np.nan if (a := _alpha(int(mm), x, y)) is None else a for mm, x, y in zip(m, xs, xx)]
            continue
        spread = m[:, None, None] * xx - xs[:, :, None] * xs[:, None, :]
        total = spread.sum(axis=(1, 2))
        diagonal = np.trace(spread, axis1=1, axis2=2)
        ok = total != 0
        found[chosen[ok], e] = size / (size - 1) * (1 - diagonal[ok] / total[ok])
    return found


def _or_none(x: float) -> float | None:
    return None if math.isnan(x) else x


def score_many(layout: SumsLayout, vectors: np.ndarray, confidence: float = 0.95) -> list[Scores]:
    """``score_sums`` of each row of ``vectors`` (groups x layout)."""
    vectors = np.asarray(vectors, dtype=np.int64).reshape(-1, layout.length)
    empty = ~vectors.any(axis=1)
    if not empty.any():
        return _score_many(layout, vectors, confidence)
    # Groups with nothing (a previous period before the data, a quiet unit) share one Scores.
    nothing = _score_many(layout, np.zeros((1, layout.length), dtype=np.int64), confidence)[0]
    scored = iter(_score_many(layout, vectors[~empty], confidence) if not empty.all() else [])
    return [nothing if is_empty else next(scored) for is_empty in empty.tolist()]


def _score_many(layout: SumsLayout, vectors: np.ndarray, confidence: float) -> list[Scores]:
    plan, parts, k = layout.plan, layout.parts, layout.k
    rows = len(vectors)
    n_valid, n_sat, criterion, element, sipas = _indices(layout, vectors)
    q = _normal_quantile(confidence)
    scored = n_valid > 0
    low, high = _wilson_many(n_sat[scored], n_valid[scored], q)
    wilson_low, wilson_high = np.full(n_valid.shape, np.nan), np.full(n_valid.shape, np.nan)
    wilson_low[scored], wilson_high[scored] = low, high
    p = np.divide(n_sat, n_valid, out=np.zeros(n_valid.shape), where=scored)
    n_float = n_valid.astype(float)
    contributing = vectors[:, parts["contributing"]]
    raters = vectors[:, parts["raters"]][:, 0]
    element_ci = []
    sipas_weights = np.zeros((rows, k))
    scored_elements = (~np.isnan(element)).sum(axis=1)
    for e, columns in enumerate(layout.element_columns):
        cols = list(columns)
        a = np.zeros((rows, k))
        a[:, cols] = scored[:, cols] / np.maximum(scored[:, cols].sum(axis=1, keepdims=True), 1)
        sipas_weights[:, cols] += np.divide(a[:, cols], scored_elements[:, None], out=np.zeros((rows, len(cols))),
                                            where=scored_elements[:, None] > 0)
        zz = np.zeros(rows)
        need = np.flatnonzero((contributing[:, e] >= 2) & ~np.isnan(element[:, e]))

        def element_weights(row: int, cols=cols, need=need) -> list[Fraction]:
            chosen = [j for j in cols if scored[need[row], j]]
            return [Fraction(1, len(chosen)) if j in chosen else Fraction(0) for j in range(k)]
        zz[need] = quadratics(layout, vectors[need], p[need], n_float[need], a[need], element_weights)
        element_ci.append(_intervals(element[:, e], zz, contributing[:, e], q))
    zz = np.zeros(rows)
    need = np.flatnonzero((raters >= 2) & ~np.isnan(sipas))

    def sipas_exact_weights(row: int) -> list[Fraction]:
        chosen = [[j for j in columns if scored[need[row], j]] for columns in layout.element_columns]
        chosen = [cols for cols in chosen if cols]
        weights = [Fraction(0)] * k
        for cols in chosen:
            for j in cols:
                weights[j] += Fraction(1, len(chosen) * len(cols))
        return weights
    zz[need] = quadratics(layout, vectors[need], p[need], n_float[need], sipas_weights[need], sipas_exact_weights)
    sipas_low, sipas_high, sipas_se = _intervals(sipas, zz, raters, q)
    alphas = _alphas(layout, vectors)
    answered = vectors[:, parts["answered"]][:, 0]
    chosen = vectors[:, parts["chosen"]]
    shares = np.divide(100.0 * chosen, answered[:, None], out=np.full(chosen.shape, np.nan),
                       where=answered[:, None] > 0)

    # Python values made once (nan: None), then the Scores of each row.
    codes, element_codes = plan.criteria, [code for code, _ in plan.elements]
    n_list, sat_list = n_valid.tolist(), n_sat.tolist()
    criterion_list, low_list, high_list = criterion.tolist(), wilson_low.tolist(), wilson_high.tolist()
    element_list, alpha_list = element.tolist(), alphas.tolist()
    element_ci_list = [tuple(part.tolist() for part in found) for found in element_ci]
    sipas_list, sipas_low_list, sipas_high_list, se_list = (a.tolist() for a in (sipas, sipas_low, sipas_high,
                                                                                   sipas_se))
    raters_list, shares_list = raters.tolist(), shares.tolist()
    found = []
    for r in range(rows):
        criteria = {}
        for j, code in enumerate(codes):
            n = n_list[r][j]
            criteria[code] = CriterionScore(n=n, satisfied=sat_list[r][j], index=criterion_list[r][j] if n else None,
                                            ci=(low_list[r][j], high_list[r][j]) if n else None)
        elements = {}
        for e, code in enumerate(element_codes):
            index = _or_none(element_list[r][e])
            ci_low, ci_high, ci_se = (part[r] for part in element_ci_list[e])
            elements[code] = ElementScore(
                index=index, ci=None if index is None or math.isnan(ci_se) else (ci_low, ci_high),
                alpha=_or_none(alpha_list[r][e]) if index is not None else None)
        index = _or_none(sipas_list[r])
        has_ci = index is not None and not math.isnan(se_list[r])
        found.append(Scores(
            n=raters_list[r], index=index, ci=(sipas_low_list[r], sipas_high_list[r]) if has_ci else None,
            elements=elements, criteria=criteria,
            expectations={code: _or_none(share) for code, share in zip(plan.expectation_options, shares_list[r])},
            se=se_list[r] if has_ci else None))
    return found


def score_sums(layout: SumsLayout, vector: np.ndarray, confidence: float = 0.95) -> Scores:
    """``domain.scoring.score`` of the respondents whose sums ``vector`` holds."""
    return score_many(layout, vector[None, :], confidence)[0]


def sipas_indices(layout: SumsLayout, counts: np.ndarray) -> tuple[np.ndarray, list[float | None]]:
    """(n, SIPAS index) of each row of ``counts`` (groups x ``criterion_counts``), as
    ``score_many`` gives them: what a rank needs."""
    counts = np.asarray(counts, dtype=np.int64).reshape(-1, 1 + 2 * layout.k)
    sipas = _indices_of_counts(layout, counts)[4]
    return counts[:, 0], [_or_none(float(x)) for x in sipas]


def sipas_index(layout: SumsLayout, vector: np.ndarray) -> tuple[int, float | None]:
    """(n, SIPAS index) of one group."""
    n, index = sipas_indices(layout, criterion_counts(layout, vector))
    return int(n[0]), index[0]
