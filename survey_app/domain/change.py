"""Change of an index against the previous period, and whether it is more than chance.

The two periods are independent samples (different respondents), so the standard error of
the difference is sqrt(se_now^2 + se_before^2). Each index carries only its 95% interval, so
its standard error is recovered from the interval's half-width: se = half / z(0.975).

An interval of an element or SIPAS index is clipped to 0-100; clipping shortens one side
only, so the longer side is the unclipped half-width. The change is significant when
|diff| / se_diff exceeds z(0.975) (a two-sided test at 5%). Where either interval is missing
or has no width (every answer the same, as the linearised interval collapses then, typically
in a unit with a handful of respondents), its spread is unknown rather than zero: the change
is reported without an interval and is never marked significant, so that three satisfied
answers cannot make a "significant" change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

__all__ = ["Change", "change_as_dict", "change_between", "half_width"]

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Change:
    value: float                              # index now - index before, in percentage points
    ci: tuple[float, float] | None            # interval of the difference at the same confidence
    significant: bool

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "ci": list(self.ci) if self.ci else None, "significant": self.significant}


def half_width(index: float, ci: Sequence[float]) -> float:
    """The unclipped half-width of an interval around ``index``."""
    low, high = ci
    return max(high - index, index - low)


def change_between(now: float | None, now_ci: Sequence[float] | None,
                   before: float | None, before_ci: Sequence[float] | None,
                   confidence: float = CONFIDENCE) -> Change | None:
    """The change from ``before`` to ``now``; None when either index is missing."""
    if now is None or before is None:
        return None
    value = now - before
    if now_ci is None or before_ci is None:
        return Change(value, None, False)
    q = NormalDist().inv_cdf(0.5 + confidence / 2)
    halves = (half_width(now, now_ci), half_width(before, before_ci))
    if min(halves) == 0.0:
        return Change(value, None, False)
    se = math.hypot(*halves) / q
    return Change(value, (value - q * se, value + q * se), abs(value) / se > q)


def change_as_dict(now: float | None, now_ci: Sequence[float] | None,
                   before: float | None, before_ci: Sequence[float] | None) -> dict[str, Any] | None:
    """``change_between`` as the scores JSON writes it: ``{"value", "ci", "significant"}`` or None."""
    change = change_between(now, now_ci, before, before_ci)
    return change.as_dict() if change else None
