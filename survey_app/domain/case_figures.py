"""The figures of a unit's cases over a period (``/reports/cases``, the PDF section, the
workbook sheet, ``scores --format json``): one function, on plain rows.

Days are local days. A case counts towards "acknowledged (answered) within the deadline" once
its deadline has passed or it was acknowledged (answered): a case still inside its time is
neither late nor on time yet. Reopened cases are judged by their first acknowledgement and
first answer; "days to answer" are calendar days from the day received to the first answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import Any

from survey_app.domain.cases import Cause, Resolution


@dataclass(frozen=True)
class CaseRow:
    received_on: date
    acknowledge_by: date
    answer_by: date
    acknowledged_on: date | None
    first_answered_on: date | None
    cause: str | None
    resolution: str | None
    rating: int | None
    reopened: bool


@dataclass(frozen=True)
class CaseFigures:
    received: int
    acknowledged_due: int       # cases whose acknowledgement is due or done
    acknowledged_in_time: int
    answered_due: int
    answered_in_time: int
    answered: int
    median_days_to_answer: float | None
    causes: dict[str, int] = field(default_factory=dict)            # every cause, 0 included
    resolutions: dict[str, int] = field(default_factory=dict)
    ratings: int = 0
    mean_rating: float | None = None
    reopened: int = 0

    @property
    def acknowledged_in_time_share(self) -> float | None:
        return 100 * self.acknowledged_in_time / self.acknowledged_due if self.acknowledged_due else None

    @property
    def answered_in_time_share(self) -> float | None:
        return 100 * self.answered_in_time / self.answered_due if self.answered_due else None

    def as_dict(self) -> dict[str, Any]:
        """The ``cases`` object of the scores JSON."""
        return {
            "received": self.received,
            "acknowledged_in_time": self.acknowledged_in_time_share,
            "answered_in_time": self.answered_in_time_share,
            "answered": self.answered,
            "median_days_to_answer": self.median_days_to_answer,
            "causes": dict(self.causes),
            "resolutions": dict(self.resolutions),
            "ratings": self.ratings,
            "mean_rating": self.mean_rating,
            "reopened": self.reopened,
        }


def case_figures(rows: list[CaseRow], as_of: date) -> CaseFigures:
    ack_due = [r for r in rows if r.acknowledged_on is not None or r.acknowledge_by < as_of]
    answer_due = [r for r in rows if r.first_answered_on is not None or r.answer_by < as_of]
    answered = [r for r in rows if r.first_answered_on is not None]
    rated = [r.rating for r in rows if r.rating is not None]
    causes = Counter(r.cause for r in answered if r.cause)
    resolutions = Counter(r.resolution for r in rows if r.resolution)
    return CaseFigures(
        received=len(rows),
        acknowledged_due=len(ack_due),
        acknowledged_in_time=sum(r.acknowledged_on is not None and r.acknowledged_on <= r.acknowledge_by
                                 for r in ack_due),
        answered_due=len(answer_due),
        answered_in_time=sum(r.first_answered_on is not None and r.first_answered_on <= r.answer_by
                             for r in answer_due),
        answered=len(answered),
        median_days_to_answer=(float(median((r.first_answered_on - r.received_on).days for r in answered))
                               if answered else None),
        causes={cause.value: causes.get(cause.value, 0) for cause in Cause},
        resolutions={value.value: resolutions.get(value.value, 0) for value in Resolution},
        ratings=len(rated),
        mean_rating=sum(rated) / len(rated) if rated else None,
        reopened=sum(r.reopened for r in rows),
    )


def pooled(rows_by_unit: dict[int, list[CaseRow]], members: set[int]) -> list[CaseRow]:
    """The rows of a unit and the units below it (``members``: their ids)."""
    return [row for unit_id in members for row in rows_by_unit.get(unit_id, [])]
