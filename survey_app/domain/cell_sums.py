"""Additive sums of respondents: what every index, interval and alpha of a group needs.

A group's figures (domain.scoring) depend on its respondents only through sums over them:
counts of valid and satisfied answers per criterion, and for the linearised intervals the sums
of products per pair of criteria, sum y.y', sum y.v', sum v.v' (y: satisfied, v: valid), the
number of respondents with a valid answer per element and overall, for alpha the sums of levels
and of their products over the respondents who answered every criterion of an element, and
expectation counts. Sums of disjoint groups add up, exactly (integers): a unit's month, a
subtree's year, a period less the hours it does not cover. domain/scoring_sums.py scores them.

A vector of int64 holds them in the order of ``SumsLayout``; the layout is the plan's structure
(criteria by element, satisfied_from, expectation options), and ``SumsLayout.key`` names it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from survey_app.domain.scoring import ScoringPlan

__all__ = ["SumsLayout", "criterion_counts", "grouped_sums", "sums_of"]


@dataclass(frozen=True)
class SumsLayout:
    plan: ScoringPlan

    @cached_property
    def k(self) -> int:
        return len(self.plan.criteria)

    @cached_property
    def spec(self) -> str:
        """The structure, as text: what a stored vector was laid out by."""
        return json.dumps({"elements": [[code, list(criteria)] for code, criteria in self.plan.elements],
                           "satisfied_from": self.plan.satisfied_from,
                           "options": list(self.plan.expectation_options)}, separators=(",", ":"))

    @cached_property
    def key(self) -> str:
        return hashlib.sha256(self.spec.encode()).hexdigest()[:16]

    @classmethod
    def of_spec(cls, spec: str) -> SumsLayout:
        found = json.loads(spec)
        return cls(ScoringPlan(elements=tuple((code, tuple(c)) for code, c in found["elements"]),
                               satisfied_from=found["satisfied_from"], expectation_options=tuple(found["options"])))

    @cached_property
    def element_columns(self) -> tuple[tuple[int, ...], ...]:
        column = {code: j for j, code in enumerate(self.plan.criteria)}
        return tuple(tuple(column[c] for c in criteria) for _, criteria in self.plan.elements)

    @cached_property
    def parts(self) -> dict[str, slice]:
        """Where each part of a vector lies."""
        k, e, o = self.k, len(self.plan.elements), len(self.plan.expectation_options)
        sizes = [("responses", 1), ("raters", 1), ("answered", 1), ("chosen", o), ("contributing", e),
                 ("complete", e), ("yy", k * k), ("yv", k * k), ("vv", k * k),
                 ("xs", sum(len(c) for c in self.element_columns)),
                 ("xx", sum(len(c) ** 2 for c in self.element_columns))]
        found, at = {}, 0
        for name, size in sizes:
            found[name] = slice(at, at + size)
            at += size
        return found

    @cached_property
    def length(self) -> int:
        return self.parts["xx"].stop


def criterion_counts(layout: SumsLayout, vectors: np.ndarray) -> np.ndarray:
    """What a rank needs of sums (groups x layout): per group [raters, valid answers per
    criterion..., satisfied answers per criterion...] (the diagonals of vv and yy); these
    counts are additive too."""
    vectors = np.asarray(vectors).reshape(-1, layout.length)
    diagonal = np.arange(layout.k) * (layout.k + 1)
    return np.concatenate([vectors[:, layout.parts["raters"]], vectors[:, layout.parts["vv"]][:, diagonal],
                           vectors[:, layout.parts["yy"]][:, diagonal]], axis=1)


ROWS_AT_ONCE = 4096  # rows whose products are laid out at a time: 4096 x 22 x 22 bytes, three times


def grouped_sums(layout: SumsLayout, values: np.ndarray, answered: np.ndarray, chosen: np.ndarray,
                 groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct groups, sorted; their sums, one vector each) of respondents given as
    arrays: ``values`` respondents x plan criteria levels (0: blank or no opinion), ``answered``
    whether each ticked an expectation, ``chosen`` respondents x plan options, ``groups`` an
    integer per respondent. Every sum is a per-row quantity added up per group (a sparse product
    with each group's rows), a few thousand rows at a time."""
    groups = np.asarray(groups, dtype=np.int64)
    keys, group_of = np.unique(groups, return_inverse=True)
    out = np.zeros((len(keys), layout.length), dtype=np.int64)
    if not len(groups):
        return keys, out
    order = np.argsort(group_of, kind="stable")
    for first in range(0, len(order), ROWS_AT_ONCE):
        rows = order[first:first + ROWS_AT_ONCE]
        where = group_of[rows]
        per_row = _per_row(layout, values[rows], np.asarray(answered)[rows], np.asarray(chosen)[rows])
        # A groups x rows matrix of ones times the rows' sums: a sparse product in C. Float32
        # is exact here: a chunk's sums stay far below 2**24.
        ones = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (where - where[0], np.arange(len(rows)))),
                                 shape=(int(where[-1] - where[0]) + 1, len(rows)))
        out[where[0]:where[-1] + 1] += np.rint(ones @ per_row).astype(np.int64)
    return keys, out


def _per_row(layout: SumsLayout, values: np.ndarray, answered: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Each row's own sums (a vector of the layout per row), as small integers."""
    plan, parts, k = layout.plan, layout.parts, layout.k
    n = len(values)
    valid = values > 0
    satisfied = values >= plan.satisfied_from
    row = np.zeros((n, layout.length), dtype=np.float32)
    row[:, parts["responses"]] = 1
    row[:, parts["raters"]] = valid.any(axis=1)[:, None]
    row[:, parts["answered"]] = np.asarray(answered, dtype=bool)[:, None]
    row[:, parts["chosen"]] = chosen
    row[:, parts["yy"]] = (satisfied[:, :, None] & satisfied[:, None, :]).reshape(n, k * k)
    row[:, parts["yv"]] = (satisfied[:, :, None] & valid[:, None, :]).reshape(n, k * k)
    row[:, parts["vv"]] = (valid[:, :, None] & valid[:, None, :]).reshape(n, k * k)
    xs_at, xx_at = parts["xs"].start, parts["xx"].start
    for e, columns in enumerate(layout.element_columns):
        cols = list(columns)
        size = len(cols)
        element_valid = valid[:, cols]
        complete = element_valid.all(axis=1)
        row[:, parts["contributing"].start + e] = element_valid.any(axis=1)
        row[:, parts["complete"].start + e] = complete
        x = np.where(complete[:, None], values[:, cols], 0).astype(np.float32)
        row[:, xs_at:xs_at + size] = x
        row[:, xx_at:xx_at + size * size] = (x[:, :, None] * x[:, None, :]).reshape(n, size * size)
        xs_at, xx_at = xs_at + size, xx_at + size * size
    return row


def sums_of(layout: SumsLayout, values: np.ndarray, answered: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """The sums of one group of respondents (an empty group: zeros)."""
    if len(values) == 0:
        return np.zeros(layout.length, dtype=np.int64)
    return grouped_sums(layout, values, answered, chosen, np.zeros(len(values), dtype=np.int64))[1][0]
