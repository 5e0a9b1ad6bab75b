"""Satisfaction indices, their confidence intervals and ranks.

See docs/indices.md. Every index is a percentage (0-100), unrounded.
The caller turns a questionnaire into a ScoringPlan, so nothing here knows the
default SIPAS file; respondents are plain mappings, so nothing here knows the database.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from survey_app.domain.rating_blocks import RatingBlocks, RatingMatrix
from survey_app.domain.reliability import complete_alpha

__all__ = [
    "CriterionScore",
    "ElementScore",
    "RatingMatrix",
    "Respondent",
    "Scores",
    "ScoringPlan",
    "competition_ranks",
    "score",
    "score_blocks",
]


@dataclass(frozen=True)
class ScoringPlan:
    """What to score: derived from a questionnaire by the caller, so scoring never assumes the default file."""

    elements: tuple[tuple[str, tuple[str, ...]], ...]  # ((element_code, (criterion_code, ...)), ...) in file order
    satisfied_from: int  # scale values >= this count as satisfied
    expectation_options: tuple[str, ...] = ()  # option codes, in file order (may be empty)

    def __post_init__(self) -> None:
        # Accept lists from the caller but store tuples, so a plan stays hashable and immutable.
        elements = tuple((code, tuple(criteria)) for code, criteria in self.elements)
        object.__setattr__(self, "elements", elements)
        object.__setattr__(self, "expectation_options", tuple(self.expectation_options))
        if isinstance(self.satisfied_from, bool) or not isinstance(self.satisfied_from, int):
            raise TypeError(f"satisfied_from must be an int, got {self.satisfied_from!r}")
        if self.satisfied_from < 1:
            # 0 is "no opinion": a threshold at or below it would count non-answers as satisfied.
            raise ValueError(f"satisfied_from must be at least 1, got {self.satisfied_from}")
        # A code listed twice would be scored twice and silently weigh more in the means.
        _check_unique("element", [code for code, _ in elements])
        _check_unique("criterion", [c for _, criteria in elements for c in criteria])
        _check_unique("expectation option", list(self.expectation_options))

    @property
    def criteria(self) -> tuple[str, ...]:
        """Every criterion code, element by element, in file order."""
        return tuple(c for _, criteria in self.elements for c in criteria)


def _check_unique(what: str, codes: list[str]) -> None:
    duplicates = sorted(code for code, count in Counter(codes).items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate {what} code(s) in scoring plan: {', '.join(duplicates)}")


@dataclass(frozen=True)
class Respondent:
    """One response, reduced to what the indices need."""

    ratings: Mapping[str, int]  # criterion code -> scale value; 0 means "no opinion"; a blank answer is absent
    expectations: frozenset[str] | None = None  # chosen option codes; None = did not answer the question
    # What a breakdown groups by (domain.breakdown): "channel" and profile answers, question -> answer.
    # Not part of equality: two respondents who answered alike score alike wherever they came from.
    traits: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        # Ticking nothing is the same as skipping the question: normalise so equality agrees.
        if self.expectations is not None:
            chosen = frozenset(self.expectations)
            object.__setattr__(self, "expectations", chosen or None)


@dataclass(frozen=True)
class CriterionScore:
    n: int  # valid answers (1..max); blanks and "no opinion" excluded
    satisfied: int
    index: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True)
class ElementScore:
    index: float | None
    ci: tuple[float, float] | None
    alpha: float | None = None  # Cronbach's alpha of the element's criteria (domain.reliability)


@dataclass(frozen=True)
class Scores:
    n: int  # respondents who rated at least one criterion on the scale (docs/indices.md, "Who counts")
    index: float | None  # SIPAS index
    ci: tuple[float, float] | None
    elements: dict[str, ElementScore]  # every element of the plan, in plan order
    criteria: dict[str, CriterionScore]  # every criterion of the plan, in plan order
    expectations: dict[str, float | None]  # every option: share in percent; None if nobody answered
    # Standard error of the SIPAS index (percentage points) behind ``ci``, unclipped: what the
    # early warning standardises a week's index by (domain/early_warning.py).
    se: float | None = None


def score(plan: ScoringPlan, respondents: Sequence[Respondent], confidence: float = 0.95) -> Scores:
    """Criterion, element and SIPAS indices with confidence intervals, and expectation shares.

    Rating codes or option codes that the plan does not list are ignored (a response to an
    older version of the questionnaire may carry them).
    """
    matrix = RatingMatrix.of(plan, respondents)
    return score_blocks(plan, RatingBlocks.of(plan, matrix, (0, len(respondents))), confidence=confidence)


def score_blocks(plan: ScoringPlan, blocks: RatingBlocks, first: int = 0, last: int | None = None,
                 confidence: float = 0.95) -> Scores:
    """``score`` of the respondents of blocks [first, last) (default: all), in row order."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    last = len(blocks) if last is None else last
    codes = plan.criteria
    # Counts are integers: adding up the blocks' is exact, whatever the order.
    n_valid = blocks.valid_counts[first:last].sum(axis=0)
    n_sat = blocks.satisfied_counts[first:last].sum(axis=0)
    scored = n_valid > 0
    p = np.divide(n_sat, n_valid, out=np.zeros(len(codes)), where=scored)

    criteria: dict[str, CriterionScore] = {}
    for j, code in enumerate(codes):
        k, n = int(n_sat[j]), int(n_valid[j])
        index = 100.0 * k / n if n else None
        criteria[code] = CriterionScore(n=n, satisfied=k, index=index, ci=_wilson(k, n, confidence))

    q = _normal_quantile(confidence)
    elements: dict[str, ElementScore] = {}
    element_index: list[float] = []
    element_z: list[np.ndarray] = []
    for (element_code, _), arrays in zip(plan.elements, blocks.elements):
        cols = [j for j in arrays.columns if scored[j]]
        if not cols:
            elements[element_code] = ElementScore(index=None, ci=None)
            continue
        index = float(np.mean([criteria[codes[j]].index for j in cols]))
        # Influence values of each criterion's ratio estimator p_c = sum(y)/sum(v) (columns
        # sum to zero), averaged over the element's criteria: one value per respondent.
        z = blocks.influence(arrays, cols, p, n_valid, first, last)
        contributing = int(arrays.contributing[first:last].sum())
        alpha = complete_alpha(*blocks.complete_rows(arrays, first, last))
        elements[element_code] = ElementScore(index=index, ci=_linearised_ci(index, z, contributing, q),
                                              alpha=alpha)
        element_index.append(index)
        element_z.append(z)

    # Only a rating says how satisfied someone is: a response with only profile answers,
    # expectations, a comment or "no opinion" is kept but is not a respondent of the indices,
    # so it can neither pad n nor lift a unit over the ranking threshold.
    raters = int(blocks.raters[first:last].sum())
    if element_index:
        sipas = float(np.mean(element_index))
        z = np.mean(element_z, axis=0)
        # Only scored criteria have valid answers, so "any valid answer" is "contributes to some element".
        sipas_ci = _linearised_ci(sipas, z, raters, q)
        sipas_se = _linearised_se(z, raters)
    else:
        sipas, sipas_ci, sipas_se = None, None, None

    answered = int(blocks.answered[first:last].sum())
    chosen = blocks.chosen[first:last].sum(axis=0)
    expectations = {code: (100.0 * int(chosen[j]) / answered if answered else None)
                    for j, code in enumerate(plan.expectation_options)}
    return Scores(n=raters, index=sipas, ci=sipas_ci, elements=elements, criteria=criteria,
                  expectations=expectations, se=sipas_se)


@functools.cache
def _normal_quantile(confidence: float) -> float:
    # The standard library's quantile (Wichura's AS 241, exact to double precision), not
    # SciPy's: importing scipy.stats costs a second at every start of a process (issue 16).
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float] | None:
    """The Wilson score interval, in percent: SciPy's formula (binomtest(k, n).proportion_ci(
    method="wilson"), Newcombe 1998) written out, because binomtest also searches for a p-value
    that is thrown away, which made it 98% of the time of a province's scores."""
    if n == 0:
        return None
    z = _normal_quantile(confidence)
    p = k / n
    denominator = 2 * (n + z**2)
    centre = (2 * n * p + z**2) / denominator
    delta = z / denominator * math.sqrt(4 * n * p * (1 - p) + z**2)
    low = 0.0 if k == 0 else centre - delta
    high = 1.0 if k == n else centre + delta
    return (100.0 * low, 100.0 * high)


def _linearised_ci(index: float, z: np.ndarray, contributing: int, q: float) -> tuple[float, float] | None:
    """Normal interval around a mean of ratio estimators, from respondents' influence values z.

    Respondents, not answers, are the sampling units: z_i sums one respondent's influence
    over every criterion, so correlated answers of one person add up instead of averaging out.

    n in the n/(n-1) correction is the number of respondents who gave at least one valid
    answer to this estimate, not every respondent. Those who skipped it have z_i = 0, so
    they only enter through that factor; counting them would let a pile of blank responses
    shrink the interval. With the contributing count the interval is conditional on who
    answered, like the Wilson interval of a criterion, and for a one-criterion element it
    reduces to the textbook p(1-p)/(n-1), i.e. s^2/n. Fewer than two such respondents give
    no variance estimate at all.

    Being a Wald-type interval it collapses to a point when every answer is the same
    (e.g. all satisfied); the criterion's Wilson interval is the honest one there.
    """
    variance = _linearised_variance(z, contributing)
    if variance is None:
        return None
    half = q * 100.0 * math.sqrt(variance)
    return (max(0.0, index - half), min(100.0, index + half))


def _linearised_variance(z: np.ndarray, contributing: int) -> float | None:
    """The variance (of a proportion, 0-1) behind ``_linearised_ci``."""
    if contributing < 2:
        return None
    # sum(z) == 0 exactly in theory (each column of u sums to 0), so no centring is needed.
    return contributing / (contributing - 1) * float(np.dot(z, z))


def _linearised_se(z: np.ndarray, contributing: int) -> float | None:
    """The standard error, in percentage points, of ``_linearised_ci``."""
    variance = _linearised_variance(z, contributing)
    return None if variance is None else 100.0 * math.sqrt(variance)


def competition_ranks(values: Sequence[float | None]) -> list[int | None]:
    """Ranks, highest value first; ties share the best rank (1, 2, 2, 4); None (or NaN) is unranked."""
    present = [i for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    ranks: list[int | None] = [None] * len(values)
    if present:
        # A value's rank is 1 + how many values are higher: the first place of its value in
        # the values sorted highest first (scipy.stats.rankdata(method="min") of the negated).
        negated = np.array([-float(values[i]) for i in present])
        ranked = np.searchsorted(np.sort(negated), negated, side="left") + 1
        for i, rank in zip(present, ranked):
            ranks[i] = int(rank)
    return ranks
