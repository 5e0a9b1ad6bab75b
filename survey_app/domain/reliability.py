"""Cronbach's alpha of an element: how consistently its criteria measure one thing.

alpha = k / (k - 1) * (1 - sum of the criteria's variances / variance of the respondents' sums),
with sample variances (ddof=1), over the respondents who answered every criterion of the element
with a valid answer (on the scale; blank and "no opinion" are not answers). Listwise deletion is
the textbook definition and what statistics packages report by default; a pairwise variant would
mix respondents between the terms and can leave the 0-1 range for no reason in the data.

There is no alpha (None) for an element of fewer than two criteria, with fewer than
``MIN_ALPHA_RESPONDENTS`` complete respondents, or when the sums do not vary at all.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MIN_ALPHA_RESPONDENTS", "complete_alpha", "cronbach_alpha"]

# Below this many complete respondents alpha swings too much to say anything about a questionnaire.
MIN_ALPHA_RESPONDENTS = 10


def cronbach_alpha(levels: np.ndarray) -> float | None:
    """Alpha of a respondents x criteria matrix of scale levels, 0 (or less) meaning no valid answer."""
    if levels.shape[1] < 2:
        return None
    complete = levels[(levels > 0).all(axis=1)].astype(float)
    return complete_alpha(complete, complete.sum(axis=1))


def complete_alpha(complete: np.ndarray, totals: np.ndarray) -> float | None:
    """Alpha from the complete respondents' levels (as floats) and each one's sum of them;
    scoring keeps those of a whole period once and passes each unit's rows."""
    k = complete.shape[1]
    if k < 2 or len(complete) < MIN_ALPHA_RESPONDENTS:
        return None
    total_variance = totals.var(ddof=1)
    if total_variance == 0:
        return None
    return float(k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_variance))
