"""The weighted SIPAS index: post-stratified so that figures stand for transactions.

See docs/indices.md, "Weighted index". Respondents fall into cells (strata; the service uses
(unit, channel)); a rater of cell h weighs N_h / n_h, with N_h the cell's volume of transactions
and n_h its raters. The index is the SIPAS definition (criterion -> element mean -> mean of
elements) with weighted proportions, its interval a Taylor-linearised one for a stratified
sample, and ``deff`` its variance over that of the unweighted index under simple random
sampling of the same raters. Plain numpy: nothing here knows the database.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from survey_app.domain.scoring import Respondent, ScoringPlan

__all__ = ["WeightedScore", "weighted_sipas", "weighted_sipas_of"]


@dataclass(frozen=True)
class WeightedScore:
    index: float                      # percent, unrounded
    ci: tuple[float, float] | None    # 95% by default; None with fewer than two raters
    deff: float | None                # None when the unweighted variance is 0 (every answer alike)

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "ci": list(self.ci) if self.ci is not None else None, "deff": self.deff}


def weighted_sipas(plan: ScoringPlan, respondents: Sequence[Respondent], cells: Sequence[Hashable],
                   volumes: Mapping[Hashable, float], confidence: float = 0.95) -> WeightedScore | None:
    """The post-stratified SIPAS index of ``respondents``, ``cells[i]`` being respondent i's cell.

    ``volumes`` maps each cell whose volume covers the period to that volume. None when nobody
    rated a criterion, or when a cell holding a rater has no volume or a volume of 0: such a
    cell cannot be weighted, and leaving it out would silently change what the figure stands
    for. Cells with a volume but no rater are ignored (their transactions are represented by
    nobody). Respondents who rated nothing take no part: they carry no weight.
    """
    if len(cells) != len(respondents):
        raise ValueError(f"{len(respondents)} respondents but {len(cells)} cells")
    values = np.zeros((len(respondents), len(plan.criteria)), dtype=np.int64)
    for j, code in enumerate(plan.criteria):
        values[:, j] = [r.ratings.get(code, 0) for r in respondents]
    return weighted_sipas_of(plan, values, cells, volumes, confidence)


def weighted_sipas_of(plan: ScoringPlan, values: np.ndarray, cells: Sequence[Hashable] | np.ndarray,
                      volumes: Mapping[Hashable, float], confidence: float = 0.95) -> WeightedScore | None:
    """``weighted_sipas`` of a respondents x criteria matrix (0: no valid answer); ``cells`` may
    be an array of integer cell codes, which spares a million respondents a Python object each."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    rater = (values > 0).any(axis=1)
    if not rater.any():
        return None
    values = values[rater]
    # Cells are numbered in any order: each figure adds up row by row, and per cell.
    if isinstance(cells, np.ndarray):
        kinds, stratum, counts = np.unique(cells[rater], return_inverse=True, return_counts=True)
        kinds = kinds.tolist()
    else:
        n_h = Counter(cell for cell, rates in zip(cells, rater) if rates)
        kinds, counts = list(n_h), list(n_h.values())
        labels = {cell: h for h, cell in enumerate(kinds)}
        stratum = np.array([labels[cell] for cell, rates in zip(cells, rater) if rates])
    if any(volumes.get(cell, 0) <= 0 for cell in kinds):
        return None
    sizes = np.array(counts, dtype=float)
    weights = np.array([float(volumes[cell]) for cell in kinds])[stratum] / sizes[stratum]

    valid, satisfied = values > 0, values >= plan.satisfied_from
    index, z = _sipas_influence(plan, valid, satisfied, weights)
    q = NormalDist().inv_cdf(0.5 + 0.5 * confidence)
    m = len(values)
    if m < 2:
        return WeightedScore(index=index, ci=None, deff=None)
    variance = _stratified_variance(z, stratum, sizes)
    # The unweighted estimator's variance under simple random sampling of the same m raters:
    # the variance behind the unweighted interval (domain/scoring.py), same formula.
    _, z_srs = _sipas_influence(plan, valid, satisfied, np.ones(m))
    variance_srs = m / (m - 1) * float(np.dot(z_srs, z_srs))
    half = q * 100.0 * math.sqrt(variance)
    return WeightedScore(
        index=index,
        ci=(max(0.0, index - half), min(100.0, index + half)),
        deff=variance / variance_srs if variance_srs > 0 else None,
    )


def _sipas_influence(plan: ScoringPlan, valid: np.ndarray, satisfied: np.ndarray,
                     weights: np.ndarray) -> tuple[float, np.ndarray]:
    """The SIPAS index (percent) with weights, and each rater's influence value on it.

    A criterion's p_c = sum(w y) / sum(w v) is a ratio estimator with influence
    u_ic = w_i (y_ic - p_c v_ic) / sum(w v); elements and the SIPAS index are plain means, so
    their influence values are the means of their parts' (the unweighted scoring's, with w).
    """
    weighted_valid = weights @ valid
    scored = weighted_valid > 0
    p = np.divide(weights @ satisfied, weighted_valid, out=np.zeros(valid.shape[1]), where=scored)
    column = {code: j for j, code in enumerate(plan.criteria)}
    element_index, element_z = [], []
    for _, criteria in plan.elements:
        cols = [column[c] for c in criteria if scored[column[c]]]
        if cols:
            element_index.append(100.0 * float(np.mean(p[cols])))
            # Only this element's columns at a time: a million raters' u for every criterion
            # at once, with its temporaries, would take most of a gigabyte.
            u = weights[:, None] * (satisfied[:, cols] - p[cols] * valid[:, cols]) / weighted_valid[cols]
            element_z.append(u.mean(axis=1))
    # The caller passes raters only, so at least one criterion, hence one element, is scored.
    return float(np.mean(element_index)), np.mean(element_z, axis=0)


def _stratified_variance(z: np.ndarray, stratum: np.ndarray, sizes: np.ndarray) -> float:
    """sum_h n_h/(n_h - 1) sum_{i in h} (z_i - mean_h z)^2: each cell an independent simple
    random sample (with replacement) of its n_h raters, as post-stratification conditioned on
    the achieved n_h treats it.

    A cell of one rater cannot estimate its own variance; it is centred on the overall mean of
    z (0) with factor 1 instead of being dropped, which would claim it has none (R survey's
    lonely.psu = "adjust"; conservative).
    """
    totals = np.bincount(stratum, weights=z, minlength=len(sizes))
    means = totals / sizes
    lonely = sizes < 2
    centred = z - np.where(lonely, 0.0, means)[stratum]
    factor = np.where(lonely, 1.0, sizes / np.maximum(sizes - 1, 1))
    return float(np.sum(factor[stratum] * centred**2))
