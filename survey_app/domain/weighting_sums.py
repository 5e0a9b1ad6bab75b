"""The weighted SIPAS index (domain/weighting.py) from the additive sums of its cells.

Within a cell (a stratum: the service's (unit, channel)) every rater weighs the same, N_h / n_h,
so each sum the estimator and its stratified variance need is the cell's sum times its weight:
sum w v_c over raters is sum_h w_h V_hc, and a cell's sum of z_i and of z_i^2 come from its
counts and its pair sums (domain/scoring_sums.py). Agrees with ``weighted_sipas_of`` to
rounding (tests compare within 1e-9).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from survey_app.domain.cell_sums import SumsLayout
from survey_app.domain.pair_quadratic import quadratic
from survey_app.domain.weighting import WeightedScore

__all__ = ["weighted_sums"]


def _mean_weights(layout: SumsLayout, scored: np.ndarray) -> np.ndarray | None:
    """The weight of each criterion in the SIPAS mean of element means; None if none is scored."""
    elements = [[j for j in columns if scored[j]] for columns in layout.element_columns]
    elements = [cols for cols in elements if cols]
    if not elements:
        return None
    a = np.zeros(layout.k)
    for cols in elements:
        a[cols] += 1.0 / (len(elements) * len(cols))
    return a


def weighted_sums(layout: SumsLayout, cells: Sequence[np.ndarray], volumes: Sequence[float],
                  confidence: float = 0.95) -> WeightedScore | None:
    """``weighted_sipas_of`` of the raters whose sums, cell by cell, are ``cells``, each cell's
    volume of transactions in ``volumes``. Cells without a rater are ignored; None when nobody
    rated, or a cell with a rater has no volume (or 0)."""
    parts, k = layout.parts, layout.k
    diagonal = np.arange(k) * (k + 1)
    kept = [(vector, float(volume or 0)) for vector, volume in zip(cells, volumes) if vector[parts["raters"]][0] > 0]
    if not kept:
        return None
    if any(volume <= 0 for _, volume in kept):
        return None
    sizes = np.array([int(vector[parts["raters"]][0]) for vector, _ in kept], dtype=float)
    weights = np.array([volume for _, volume in kept]) / sizes
    valid = np.array([vector[parts["vv"]][diagonal] for vector, _ in kept], dtype=float)
    satisfied = np.array([vector[parts["yy"]][diagonal] for vector, _ in kept], dtype=float)
    weighted_valid = weights @ valid
    scored = weighted_valid > 0
    p = np.divide(weights @ satisfied, weighted_valid, out=np.zeros(k), where=scored)
    element_index = [100.0 * float(np.mean(p[[j for j in columns if scored[j]]]))
                     for columns in layout.element_columns if any(scored[j] for j in columns)]
    index = float(np.mean(element_index))
    m = int(sizes.sum())
    if m < 2:
        return WeightedScore(index=index, ci=None, deff=None)
    a = _mean_weights(layout, scored)
    inverse = np.divide(1.0, weighted_valid, out=np.zeros(k), where=scored)
    variance = 0.0
    for (vector, _), w, n_h, v_h, y_h in zip(kept, weights, sizes, valid, satisfied):
        zz = w * w * quadratic(layout, vector, p, weighted_valid, a)
        z = w * float(a @ ((y_h - p * v_h) * inverse))
        variance += zz if n_h < 2 else n_h / (n_h - 1) * (zz - z * z / n_h)
    # The unweighted estimator's variance under simple random sampling of the same raters.
    total = np.sum([vector for vector, _ in kept], axis=0)
    n_valid = total[parts["vv"]][diagonal].astype(float)
    p_srs = np.divide(total[parts["yy"]][diagonal], n_valid, out=np.zeros(k), where=n_valid > 0)
    a_srs = _mean_weights(layout, n_valid > 0)
    variance_srs = m / (m - 1) * quadratic(layout, total, p_srs, n_valid, a_srs)
    q = NormalDist().inv_cdf(0.5 + 0.5 * confidence)
    half = q * 100.0 * math.sqrt(max(variance, 0.0))
    return WeightedScore(index=index, ci=(max(0.0, index - half), min(100.0, index + half)),
                         deff=variance / variance_srs if variance_srs > 0 else None)
