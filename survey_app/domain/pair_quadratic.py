"""The sum of the respondents' squared influence values, a' S a, from pair sums (domain/cell_sums.py).

A respondent's influence value z on a linearised index is a linear combination of the
criteria's u_ic = (y_ic - p_c v_ic) / n_c, so

    sum_i z_i^2 = a' S a,   S_cc' = (yy_cc' - p_c' yv_cc' - p_c yv_c'c + p_c p_c' vv_cc') / (n_c n_c')

with a the weights of the criteria in the mean. Near zero it is a difference of much larger
terms, so there it is recognised as exactly zero in integers, or computed again in fractions.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from survey_app.domain.cell_sums import SumsLayout

__all__ = ["pair_matrix", "quadratic", "quadratics"]


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


def quadratics(layout: SumsLayout, vectors: np.ndarray, p: np.ndarray, n_valid: np.ndarray,
                weights: np.ndarray, exact_weights) -> np.ndarray:
    """``quadratic`` of each row: a' S a with a = ``weights`` (rows x k), S of the row's sums.
    Rows where it is a difference of much larger terms are computed again in exact fractions,
    ``exact_weights(row)`` giving that row's a as Fractions."""
    parts, k = layout.parts, layout.k
    yy = vectors[:, parts["yy"]].reshape(-1, k, k).astype(float)
    yv = vectors[:, parts["yv"]].reshape(-1, k, k).astype(float)
    vv = vectors[:, parts["vv"]].reshape(-1, k, k).astype(float)
    pyv = yv * p[:, None, :]
    s = yy - pyv - pyv.transpose(0, 2, 1) + p[:, :, None] * p[:, None, :] * vv
    inverse = np.divide(1.0, n_valid, out=np.zeros(n_valid.shape), where=n_valid > 0)
    s *= inverse[:, :, None] * inverse[:, None, :]
    value = np.einsum("bi,bij,bj->b", weights, s, weights)
    magnitude = np.einsum("bi,bij,bj->b", np.abs(weights), np.abs(s), np.abs(weights))
    diagonal = np.arange(k) * (k + 1)
    for row in np.flatnonzero(value <= 1e-7 * magnitude):
        n_row = [int(x) for x in n_valid[row]]
        satisfied = vectors[row, parts["yy"]][diagonal]
        if _vanishes(layout, vectors[row], satisfied, n_valid[row], weights[row]):
            value[row] = 0.0   # every answer alike (a small group's common case): exactly nothing
            continue

        def exact(row=row, n_row=n_row, satisfied=satisfied) -> tuple[list, list, list]:
            return ([Fraction(int(satisfied[j]), n_row[j]) if n_row[j] else Fraction(0) for j in range(k)],
                    [Fraction(n) for n in n_row], exact_weights(row))
        value[row] = quadratic(layout, vectors[row], p[row], n_valid[row], weights[row], exact, s[row])
    return value


def _vanishes(layout: SumsLayout, vector: np.ndarray, satisfied: np.ndarray, n_valid: np.ndarray,
              weights: np.ndarray) -> bool:
    """Whether S is exactly zero on the weighted criteria, in integers: n_c n_d S_cd n_c n_d is
    yy n_c n_d - s_d n_c yv_cd - s_c n_d yv_dc + s_c s_d vv_cd (s: satisfied, n: valid answers)."""
    if n_valid.max(initial=0) >= 1 << 20:   # the products would leave int64
        return False
    k = layout.k
    cols = np.flatnonzero(weights != 0)
    yy, yv, vv = (vector[layout.parts[name]].reshape(k, k)[np.ix_(cols, cols)] for name in ("yy", "yv", "vv"))
    n, s = n_valid[cols].astype(np.int64), satisfied[cols].astype(np.int64)
    t = yy * np.outer(n, n) - yv * np.outer(n, s) - yv.T * np.outer(s, n) + vv * np.outer(s, s)
    return not t.any()
