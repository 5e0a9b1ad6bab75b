"""The sums of periods: whole UTC years, quarters and months from models/figure_cell.py, the
hours in between from the responses.

A period [start, end) (local midnights, in UTC) is taken as the whole months between the month
starts nearest to its ends, plus or minus the hours from each end to its nearest month start:
a local month, quarter or year differs from UTC months by the zone's offset (seven hours each
side in Vietnam), so it reads a few hours of responses; a custom range at most half a month at
each end. The whole months are read as the fewest rows: each whole calendar year of them as its
year's row, each whole quarter left as its quarter's, the rest month by month. Sums add and
subtract exactly (integers).

A row laid out by another structure of the questionnaire (its file changed since), or holding
a month marked stale by the database (its responses deleted or changed by hand,
models/figure_cell.FigureStale), is not used: a year's or a quarter's is read as its months,
and such a month from the responses.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from survey_app.domain.cell_sums import SumsLayout, criterion_counts
from survey_app.models import FigureCell, FigureStale
from survey_app.services.figures.cells import SPANS, add_months, month_bounds
from survey_app.services.figures.rows import cell_sums, read_rows

Cells = dict[tuple[int, str], np.ndarray]   # (unit id, channel) -> sums (int32 or int64)
# Longer lists of units are not named in the SQL (thousands of parameters cost more to send
# and plan than the other units' rows cost to read): their rows are read and left out here.
LISTED_UNITS = 300
Span = tuple[date, int]                      # first month, months
Window = tuple[datetime, datetime]


def nearest_month_start(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    start, following = month_bounds(date(at.year, at.month, 1))
    return start if at - start <= following - at else following


def spans_between(first: date, last: date) -> list[Span]:
    """The months [first, last) as the fewest aligned spans: years, then quarters, then months."""
    found, month = [], first
    while month < last:
        months = next(n for n in reversed(SPANS) if (month.month - 1) % n == 0 and add_months(month, n) <= last)
        found.append((month, months))
        month = add_months(month, months)
    return found


def period_sums(session: Session, questionnaire_id: str, layout: SumsLayout, start: datetime, end: datetime,
                unit_ids: list[int] | None = None) -> Cells:
    """(unit id, channel) -> the sums of the counted responses of [start, end); of the units
    ``unit_ids`` only, or of every unit."""
    return periods_sums(session, questionnaire_id, layout, [(start, end)], unit_ids)[0]


def periods_sums(session: Session, questionnaire_id: str, layout: SumsLayout, periods: Sequence[Window],
                 unit_ids: list[int] | None = None, *, counts_only: bool = False) -> list[Cells]:
    """``period_sums`` of each period, the rows and hours they share read once. With
    ``counts_only`` each cell is its ``criterion_counts`` instead (what a rank needs), read
    without the sums."""
    reader = _Reader(session, questionnaire_id, layout, unit_ids, counts_only)
    plans: list[tuple[list[Span], list[tuple[datetime, datetime, int]]]] = []
    for start, end in periods:
        first, last = nearest_month_start(start), nearest_month_start(end)
        if first >= last:
            plans.append(([], [(start, end, 1)]))
            continue
        edges = [(start, first, 1), (first, start, -1), (last, end, 1), (end, last, -1)]
        plans.append((spans_between(first.date(), last.date()), [(low, high, sign) for low, high, sign in edges
                                                                  if low < high]))
    reader.fetch({span for spans, _ in plans for span in spans})
    found = []
    for spans, windows in plans:
        rows: list[int] = []
        for span in spans:
            used, read = reader.resolve(span)
            rows += used
            windows = windows + [(low, high, 1) for low, high in read]
        cells = reader.total(rows)
        for low, high, sign in windows:
            for key, vector in reader.responses(low, high).items():
                cells[key] = cells[key] + sign * vector if key in cells else sign * vector
        responses = layout.parts["responses"].start
        found.append(cells if counts_only else {key: vector for key, vector in cells.items() if vector[responses] != 0})
    return found


class _Reader:
    """The rows of spans, decoded once, and the responses of windows, read once."""

    def __init__(self, session: Session, questionnaire_id: str, layout: SumsLayout, unit_ids: list[int] | None,
                 counts_only: bool):
        self.session, self.questionnaire_id, self.layout = session, questionnaire_id, layout
        self.counts_only = counts_only
        self.wanted = set(unit_ids) if unit_ids is not None else None
        self.listed = unit_ids if unit_ids is not None and len(unit_ids) <= LISTED_UNITS else None
        self.keys: list[tuple[int, str]] = []          # row -> (unit id, channel)
        self.vectors: list[np.ndarray] = []            # decoded rows, a batch per fetch
        self.rows_of: dict[Span, list[int]] = {}       # a usable span -> its rows
        self.unusable: set[Span] = set()
        self.stale: set[date] | None = None
        self.windows: dict[Window, Cells] = {}

    def fetch(self, spans: set[Span]) -> None:
        spans = {span for span in spans if span not in self.rows_of and span not in self.unusable}
        if not spans:
            return
        if self.stale is None:
            self.stale = set(self.session.scalars(select(FigureStale.month).where(
                FigureStale.questionnaire_id == self.questionnaire_id)))
        query = (select(FigureCell.month, FigureCell.months, FigureCell.unit_id, FigureCell.channel,
                        FigureCell.layout, FigureCell.counts if self.counts_only else FigureCell.sums, FigureCell.raters)
                 .where(FigureCell.questionnaire_id == self.questionnaire_id,
                        tuple_(FigureCell.month, FigureCell.months).in_(sorted(spans))))
        if self.listed is not None:
            query = query.where(FigureCell.unit_id.in_(self.listed))
        fetched = self.session.connection().execute(query).all()
        if self.wanted is not None and self.listed is None:
            fetched = [row for row in fetched if row[2] in self.wanted]
        for month, months in spans:
            if any(add_months(month, i) in self.stale for i in range(months)):
                self.unusable.add((month, months))
        for month, months, _, _, row_layout, _, _ in fetched:
            if row_layout != self.layout.key:
                self.unusable.add((month, months))
        kept = [row for row in fetched if (row[0], row[1]) not in self.unusable]
        at = len(self.keys)
        for span in spans - self.unusable:
            self.rows_of[span] = []
        for i, (month, months, unit_id, channel, _, _, _) in enumerate(kept):
            self.rows_of[(month, months)].append(at + i)
            self.keys.append((unit_id, channel))
        if kept and self.counts_only:
            counts = np.frombuffer(b"".join(row[5] for row in kept), dtype="<i4").reshape(len(kept), -1)
            self.vectors.append(np.concatenate([np.array([[row[6]] for row in kept], dtype=np.int64), counts], axis=1))
        elif kept:
            # One array of every row: decompressed in one pass, converted once.
            raw = b"".join(zlib.decompress(row[5]) for row in kept)
            self.vectors.append(np.frombuffer(raw, dtype="<i4").reshape(len(kept), -1))

    def resolve(self, span: Span) -> tuple[list[int], list[Window]]:
        """(the rows to add, the windows to read from the responses) for a span."""
        if span in self.rows_of:
            return self.rows_of[span], []
        month, months = span
        if months == 1:
            return [], [month_bounds(month)]
        parts = [(add_months(month, i), 1) for i in range(months)]
        self.fetch(set(parts))
        rows: list[int] = []
        windows: list[Window] = []
        for part in parts:
            used, read = self.resolve(part)
            rows += used
            windows += read
        return rows, windows

    def total(self, rows: list[int]) -> Cells:
        """(unit id, channel) -> the sum of the rows ``rows``."""
        if not rows:
            return {}
        if len(self.vectors) > 1:
            self.vectors = [np.concatenate(self.vectors)]
        table = self.vectors[0]
        keys = sorted(set(self.keys[r] for r in rows))
        number = {key: i for i, key in enumerate(keys)}
        groups = np.array([number[self.keys[r]] for r in rows])
        order = np.argsort(groups, kind="stable")
        chosen = np.asarray(rows)[order]
        if len(keys) == len(rows):   # one row a key (a year or a quarter read as its own row)
            # Left in int32 (half the memory to go through): every sum of them is made in int64.
            return dict(zip(keys, table[chosen]))
        starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
        return dict(zip(keys, np.add.reduceat(table[chosen], starts, axis=0, dtype=np.int64)))

    def responses(self, low: datetime, high: datetime) -> Cells:
        if (low, high) not in self.windows:
            rows = read_rows(self.session, self.layout.plan, self.questionnaire_id, start=low, end=high,
                             unit_ids=self.listed)
            found = {key: vector for key, vector in cell_sums(self.layout, rows).items()
                     if self.wanted is None or key[0] in self.wanted}
            self.windows[(low, high)] = {key: criterion_counts(self.layout, vector)[0] for key, vector in found.items()
                                         } if self.counts_only else found
        return self.windows[(low, high)]
