"""Respondents as arrays, cut into blocks of consecutive rows, with what scoring needs counted once.

The service reads a period's responses straight into a RatingMatrix sorted by unit in tree
order, so that a unit and every unit below it are consecutive blocks. Scoring a range of blocks
(domain.scoring.score_blocks) then adds up per-block counts and reads per-row arrays built once,
instead of building each subtree's matrix again. Every float is still computed from the range's
own rows by the same numpy operations as on a fresh matrix, so the figures are bit for bit those
of ``score`` fed the same respondents in the same order (tests/domain/test_rating_blocks.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scoring imports this module; at run time only attributes are used
    from survey_app.domain.scoring import Respondent, ScoringPlan

# An element of up to this many criteria finds each row's influence value by its answer pattern
# (3**k patterns: no valid answer, valid, satisfied per criterion) instead of row by row.
PATTERN_CRITERIA = 8


@dataclass(frozen=True)
class RatingMatrix:
    """Respondents as arrays, row i being respondent i.

    ``values`` is respondents x plan criteria (any integer dtype), 0 meaning blank or "no
    opinion"; ``chosen`` respondents x plan expectation options; ``answered`` whether the
    respondent ticked any expectation at all (an option the plan does not list counts too).
    """

    values: np.ndarray
    chosen: np.ndarray
    answered: np.ndarray

    @classmethod
    def of(cls, plan: ScoringPlan, respondents: Sequence[Respondent]) -> RatingMatrix:
        n_resp = len(respondents)
        # Reading 100k small dicts is the one step that cannot be vectorised; a list
        # comprehension per column was the quickest way tried. The service reads the database
        # straight into a matrix instead (services/rating_matrix.py).
        values = np.zeros((n_resp, len(plan.criteria)), dtype=np.int64)
        if n_resp:
            ratings = [r.ratings for r in respondents]
            for j, code in enumerate(plan.criteria):
                values[:, j] = [rt.get(code, 0) for rt in ratings]
        # Respondent normalises an empty set to None, but a hand-built one may bypass that.
        answered = np.array([bool(r.expectations) for r in respondents], dtype=bool)
        chosen = np.zeros((n_resp, len(plan.expectation_options)), dtype=bool)
        for j, option in enumerate(plan.expectation_options):
            chosen[:, j] = [bool(r.expectations) and option in r.expectations for r in respondents]
        return cls(values, chosen, answered)


@dataclass(frozen=True)
class ElementArrays:
    columns: tuple[int, ...]        # the element's criteria, as columns of the matrix
    states: np.ndarray | None       # pattern x criterion: 0 no valid answer, 1 valid, 2 satisfied
    patterns: np.ndarray | None     # per row: its pattern (None: too many criteria, rows are read)
    contributing: np.ndarray        # per block: rows with a valid answer to one of the criteria
    complete: np.ndarray            # levels of the rows that answered every criterion, in row order
    complete_totals: np.ndarray     # their sums, as floats (exact: small integers)
    complete_before: np.ndarray     # per block boundary: complete rows before it


class RatingBlocks:
    """Respondents x criteria levels whose rows ``bounds[b]:bounds[b + 1]`` form block b.

    ``answered`` counts, per block, the respondents who ticked any expectation; ``chosen``, per
    block and plan option, those who ticked it: expectation shares need nothing finer.
    """

    def __init__(self, plan: ScoringPlan, values: np.ndarray, bounds: Sequence[int],
                 answered: np.ndarray, chosen: np.ndarray):
        if values.shape[1:] != (len(plan.criteria),):
            raise ValueError(f"values of shape {values.shape} for {len(plan.criteria)} criteria")
        if len(values) and values.min() < 0:
            bad = plan.criteria[int(np.argmin(values.min(axis=0)))]
            raise ValueError(f"negative rating for criterion {bad!r}; scale values are 0 (no opinion) or more")
        self.values = values
        self.bounds = np.asarray(bounds, dtype=np.int64)
        self.satisfied_from = plan.satisfied_from
        self.answered = np.asarray(answered, dtype=np.int64)
        self.chosen = np.asarray(chosen, dtype=np.int64).reshape(len(self), len(plan.expectation_options))
        valid = values > 0
        satisfied = values >= plan.satisfied_from  # implies valid, since satisfied_from >= 1
        self.valid_counts = self._per_block(valid)
        self.satisfied_counts = self._per_block(satisfied)
        self.raters = self._per_block(valid.any(axis=1))
        column = {code: j for j, code in enumerate(plan.criteria)}
        self.elements = [self._element(tuple(column[c] for c in criteria), values, valid, satisfied)
                         for _, criteria in plan.elements]

    @classmethod
    def of(cls, plan: ScoringPlan, matrix: RatingMatrix, bounds: Sequence[int]) -> RatingBlocks:
        per_block = _per_block(np.asarray(bounds, dtype=np.int64))
        return cls(plan, matrix.values, bounds, per_block(matrix.answered), per_block(matrix.chosen))

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def _per_block(self, rows: np.ndarray) -> np.ndarray:
        return _per_block(self.bounds)(rows)

    def _element(self, columns: tuple[int, ...], values: np.ndarray, valid: np.ndarray,
                 satisfied: np.ndarray) -> ElementArrays:
        element_valid = valid[:, columns]
        states = patterns = None
        if len(columns) <= PATTERN_CRITERIA:
            powers = 3 ** np.arange(len(columns))
            states = (np.arange(3 ** len(columns))[:, None] // powers) % 3
            state = element_valid.astype(np.uint16) + satisfied[:, columns]
            patterns = (state * powers.astype(np.uint16)).sum(axis=1, dtype=np.uint16)
        is_complete = element_valid.all(axis=1)
        # Columns first, then rows, as reliability.cronbach_alpha does: the result is laid out in
        # memory alike (row-major), and var() adds up in memory order.
        complete = values[:, list(columns)][is_complete]
        before = np.concatenate(([0], np.cumsum(self._per_block(is_complete))))
        return ElementArrays(columns=columns, states=states, patterns=patterns,
                             contributing=self._per_block(element_valid.any(axis=1)), complete=complete,
                             complete_totals=complete.sum(axis=1).astype(float), complete_before=before)

    def influence(self, element: ElementArrays, cols: list[int], p: np.ndarray, n_valid: np.ndarray,
                  first: int, last: int) -> np.ndarray:
        """Each row's mean influence value over ``cols`` (the element's scored criteria) for the
        criterion shares ``p`` of blocks [first, last): u_ic = (y_ic - p_c v_ic) / sum_i v_ic."""
        low, high = self.bounds[first], self.bounds[last]
        if element.patterns is None:
            levels = self.values[low:high, cols]
            valid, satisfied = levels > 0, levels >= self.satisfied_from
            return ((satisfied - p[cols] * valid) / n_valid[cols]).mean(axis=1)
        # The same operations on every possible pattern instead of every row: a row's value
        # depends on its pattern only, and each pattern's comes out bit for bit the same.
        which = [element.columns.index(j) for j in cols]
        valid, satisfied = element.states[:, which] > 0, element.states[:, which] == 2
        table = ((satisfied - p[cols] * valid) / n_valid[cols]).mean(axis=1)
        return table[element.patterns[low:high]]

    def complete_rows(self, element: ElementArrays, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """(levels as floats, their sums) of the rows of blocks [first, last) that answered every criterion."""
        low, high = element.complete_before[first], element.complete_before[last]
        return element.complete[low:high].astype(float), element.complete_totals[low:high]


def _per_block(bounds: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A function counting (adding up) rows per block."""
    sizes = np.diff(bounds)
    filled = sizes > 0

    def count(rows: np.ndarray) -> np.ndarray:
        counts = np.zeros((len(sizes), *rows.shape[1:]), dtype=np.int64)
        if filled.any():  # reduceat gives an empty block the row at its start, so skip those
            counts[filled] = np.add.reduceat(rows, bounds[:-1][filled], axis=0, dtype=np.int64)
        return counts

    return count
