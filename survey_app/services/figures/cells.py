"""Keeping the sums of models/figure_cell.py right, in the transaction of every change that
moves them: ``add_submission`` (a stored response), ``SumsCollector`` (an import),
``responses_changed`` (a flag, a restore, a flag back). services/figures/rebuild.py makes them
again from the responses.

Each change is counted in three rows of its unit and channel: its UTC month's, its quarter's
and its year's (``SPANS``), so a period of whole quarters or years is read as a few rows per
unit instead of one per month.

A row whose sums were laid out by another structure of the questionnaire (its file changed)
is made again from its responses when it is next written; services/figures reads the months
holding such rows from the responses until then.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey_app.domain.cell_sums import SumsLayout, criterion_counts, grouped_sums, sums_of
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import EXPECTATIONS, Submission
from survey_app.models import Answer, Choice, FigureCell, FigureLayout, Response
from survey_app.services.figures.rows import cell_sums, read_rows

Key = tuple[int, date, str]  # unit id, UTC month, channel: where a change is counted
RowKey = tuple[int, date, str, int]  # unit id, first month of the span, channel, months in the span
SPANS = (1, 3, 12)  # a month, a quarter, a year (UTC, aligned to the calendar)


def encode(vector: np.ndarray) -> bytes:
    return zlib.compress(vector.astype("<i4").tobytes(), 1)


def decode(blob: bytes) -> np.ndarray:
    return np.frombuffer(zlib.decompress(blob), dtype="<i4").astype(np.int64)


def encode_counts(layout: SumsLayout, vector: np.ndarray) -> bytes:
    """The row's valid and satisfied answers per criterion (``criterion_counts`` less raters),
    little-endian int32, uncompressed: what ranking units outside a page's scope reads."""
    return criterion_counts(layout, vector)[0, 1:].astype("<i4").tobytes()


def month_of(at: datetime) -> date:
    at = at.astimezone(UTC)
    return date(at.year, at.month, 1)


def add_months(month: date, months: int) -> date:
    at = month.year * 12 + month.month - 1 + months
    return date(at // 12, at % 12 + 1, 1)


def month_bounds(month: date, months: int = 1) -> tuple[datetime, datetime]:
    """The UTC instants a span of ``months`` months from ``month`` starts and ends at."""
    following = add_months(month, months)
    return (datetime(month.year, month.month, 1, tzinfo=UTC), datetime(following.year, following.month, 1, tzinfo=UTC))


def span_start(month: date, months: int) -> date:
    """The first month of the aligned span of ``months`` months holding ``month``."""
    return date(month.year, month.month - (month.month - 1) % months, 1)


def spans_of(deltas: dict[Key, np.ndarray]) -> dict[RowKey, np.ndarray]:
    """Each change counted in the rows of its month, quarter and year."""
    found: dict[RowKey, np.ndarray] = {}
    for (unit_id, month, channel), vector in deltas.items():
        for months in SPANS:
            key = (unit_id, span_start(month, months), channel, months)
            found[key] = found[key] + vector if key in found else vector
    return found


def layout_of(questionnaire: Questionnaire) -> SumsLayout:
    return SumsLayout(questionnaire.scoring_plan())


def _insert(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def keep_layout(session: Session, layout: SumsLayout) -> None:
    session.execute(_insert(session)(FigureLayout).values(key=layout.key, spec=layout.spec)
                    .on_conflict_do_nothing(index_elements=["key"]))


def _vector(layout: SumsLayout, ratings: Iterable[tuple[str, int]], expectations: set[str]) -> np.ndarray:
    column = {code: j for j, code in enumerate(layout.plan.criteria)}
    values = np.zeros((1, layout.k), dtype=np.int64)
    for code, value in ratings:
        if code in column:
            values[0, column[code]] = int(value)
    chosen = np.array([[option in expectations for option in layout.plan.expectation_options]], dtype=bool)
    return sums_of(layout, values, np.array([bool(expectations)]), chosen)


def add_submission(session: Session, questionnaire: Questionnaire, unit_id: int, channel: str,
                   submitted_at: datetime, submission: Submission) -> None:
    """Count a response just stored (flushed) in its unit's month and channel."""
    layout = layout_of(questionnaire)
    vector = _vector(layout, submission.ratings.items(), set(submission.expectations))
    apply(session, questionnaire.id, layout, {(unit_id, month_of(submitted_at), channel): vector})


def apply(session: Session, questionnaire_id: str, layout: SumsLayout, deltas: dict[Key, np.ndarray]) -> None:
    """Add each vector to the rows of its key's month, quarter and year (negative ones take
    responses away). Rows are created first (INSERT ... ON CONFLICT DO NOTHING, which waits
    for a concurrent creator) and locked in key order, so concurrent writers neither fail nor
    deadlock."""
    if not deltas:
        return
    changes = spans_of(deltas)
    keys = sorted(changes)
    zero = encode(np.zeros(layout.length, dtype=np.int64))
    zero_counts = encode_counts(layout, np.zeros(layout.length, dtype=np.int64))
    insert = _insert(session)
    key_columns = (FigureCell.unit_id, FigureCell.month, FigureCell.channel, FigureCell.months)
    # One cached statement, its rows sent in batches in key order (SQLAlchemy's "insertmanyvalues").
    created = set(session.execute(
        insert(FigureCell).on_conflict_do_nothing().returning(*key_columns),
        [{"questionnaire_id": questionnaire_id, "unit_id": u, "month": m, "channel": c, "months": n,
          "layout": layout.key, "responses": 0, "raters": 0, "sums": zero, "counts": zero_counts}
         for u, m, c, n in keys]).all())
    found = {}
    for start in range(0, len(keys), 500):
        chosen = keys[start:start + 500]
        query = (select(*key_columns, FigureCell.layout, FigureCell.sums)
                 .where(FigureCell.questionnaire_id == questionnaire_id, tuple_(*key_columns).in_(chosen))
                 .order_by(*key_columns).with_for_update())
        found.update({(u, m, c, n): (lay, sums) for u, m, c, n, lay, sums in session.execute(query)})
    if created or any(row_layout != layout.key for row_layout, _ in found.values()):
        keep_layout(session, layout)   # rows of this layout are new: its spec is needed
    parts = layout.parts
    updates = []
    for key in keys:
        row_layout, blob = found[key]
        delta = changes[key]
        # Another layout, or a row that did not hold what is taken away: counted again.
        vector = decode(blob) + delta if row_layout == layout.key and not (
            key in created and delta[parts["responses"]][0] < 0) else None
        if vector is None or vector.min() < 0:
            vector = _recount(session, questionnaire_id, layout, key)
        updates.append((key, vector))
    # One statement for every row (an executemany: one round trip on PostgreSQL's pipeline).
    # A row whose responses are all flagged stays, with zeros: it keeps the layout a restore
    # puts them back under.
    table = FigureCell.__table__
    session.execute(
        table.update().where(table.c.questionnaire_id == questionnaire_id, table.c.unit_id == bindparam("key_unit"),
                             table.c.month == bindparam("key_month"), table.c.channel == bindparam("key_channel"),
                             table.c.months == bindparam("key_months"))
        .values(layout=layout.key, responses=bindparam("new_responses"), raters=bindparam("new_raters"),
                sums=bindparam("new_sums"), counts=bindparam("new_counts")),
        [{"key_unit": unit_id, "key_month": month, "key_channel": channel, "key_months": months,
          "new_responses": int(vector[parts["responses"]][0]), "new_raters": int(vector[parts["raters"]][0]),
          "new_sums": encode(vector), "new_counts": encode_counts(layout, vector)}
         for (unit_id, month, channel, months), vector in updates])


def _recount(session: Session, questionnaire_id: str, layout: SumsLayout, key: RowKey) -> np.ndarray:
    """The sums of one row counted again from its responses (as they stand in this transaction)."""
    unit_id, month, channel, months = key
    start, end = month_bounds(month, months)
    found = cell_sums(layout, read_rows(session, layout.plan, questionnaire_id, start=start, end=end,
                                        unit_ids=[unit_id]))
    return found.get((unit_id, channel), np.zeros(layout.length, dtype=np.int64))


def responses_changed(session: Session, response_ids: Iterable[int], sign: int) -> None:
    """Take stored responses out of their rows (sign -1: just flagged) or put them back (+1:
    restored), each under the layout of the row it is counted in."""
    ids = sorted(set(response_ids))
    if not ids:
        return
    responses = session.execute(select(Response.id, Response.questionnaire_id, Response.unit_id, Response.channel,
                                       Response.submitted_at).where(Response.id.in_(ids))).all()
    ratings: dict[int, list[tuple[str, int]]] = {i: [] for i in ids}
    for response_id, code, value in session.execute(
            select(Answer.response_id, Answer.item_code, Answer.value).where(Answer.response_id.in_(ids))):
        ratings[response_id].append((code, value))
    expectations: dict[int, set[str]] = {i: set() for i in ids}
    for response_id, option in session.execute(select(Choice.response_id, Choice.option_code).where(
            Choice.response_id.in_(ids), Choice.question_code == EXPECTATIONS)):
        expectations[response_id].add(option)
    by_questionnaire: dict[str, list] = {}
    for row in responses:
        by_questionnaire.setdefault(row.questionnaire_id, []).append(row)
    for questionnaire_id, rows in by_questionnaire.items():
        keys = {(r.unit_id, month_of(r.submitted_at), r.channel) for r in rows}
        layouts = dict(session.execute(
            select(FigureCell.layout, FigureLayout.spec).join(FigureLayout, FigureLayout.key == FigureCell.layout)
            .where(FigureCell.questionnaire_id == questionnaire_id, FigureCell.months == 1,
                   tuple_(FigureCell.unit_id, FigureCell.month, FigureCell.channel).in_(sorted(keys)))).all())
        if not layouts:
            continue  # not counted in any row (the sums were never made): nothing to move
        # One layout per questionnaire is written at a time; the newest row's stands for all.
        layout = SumsLayout.of_spec(next(iter(layouts.values())))
        deltas: dict[Key, np.ndarray] = {}
        for r in rows:
            key = (r.unit_id, month_of(r.submitted_at), r.channel)
            vector = sign * _vector(layout, ratings[r.id], expectations[r.id])
            deltas[key] = deltas[key] + vector if key in deltas else vector
        apply(session, questionnaire_id, layout, deltas)


class SumsCollector:
    """The sums of an import's responses, collected a chunk at a time (``collect``, from
    domain.interchange.FlatRecord tuples) and added to the rows once at the end (``write``)."""

    def __init__(self, unit_ids: dict[str, int]):
        self._unit_ids = unit_ids
        self._sums: dict[str, tuple[SumsLayout, dict[Key, np.ndarray]]] = {}

    def collect(self, records: list) -> None:
        by_questionnaire: dict[str, list] = {}
        questionnaires = {}
        for record in records:
            by_questionnaire.setdefault(record[2].id, []).append(record)
            questionnaires[record[2].id] = record[2]
        for questionnaire_id, chosen_records in by_questionnaire.items():
            layout, kept = self._sums.setdefault(questionnaire_id, (layout_of(questionnaires[questionnaire_id]), {}))
            for key, vector in _record_sums(layout, self._unit_ids, chosen_records).items():
                kept[key] = kept[key] + vector if key in kept else vector

    def write(self, session: Session) -> None:
        for questionnaire_id, (layout, kept) in self._sums.items():
            apply(session, questionnaire_id, layout, kept)


def _record_sums(layout: SumsLayout, unit_ids: dict[str, int], records: list) -> dict[Key, np.ndarray]:
    """FlatRecords (submitted_at, unit code, questionnaire, channel, locale, [(criterion, level
    text)], [(question, option)], comment) summed per row key."""
    column = {code: j for j, code in enumerate(layout.plan.criteria)}
    option = {code: j for j, code in enumerate(layout.plan.expectation_options)}
    values = np.zeros((len(records), layout.k), dtype=np.int64)
    answered = np.zeros(len(records), dtype=bool)
    chosen = np.zeros((len(records), len(option)), dtype=bool)
    keys: dict[Key, int] = {}
    groups = np.zeros(len(records), dtype=np.int64)
    for i, (at, unit, _, channel, _, ratings, choices, _) in enumerate(records):
        for code, value in ratings:
            j = column.get(code)
            if j is not None:
                values[i, j] = int(value)
        for question, code in choices:
            if question == EXPECTATIONS:
                answered[i] = True
                j = option.get(code)
                if j is not None:
                    chosen[i, j] = True
        groups[i] = keys.setdefault((unit_ids[unit], month_of(at), channel), len(keys))
    found, sums = grouped_sums(layout, values, answered, chosen, groups)
    by_number = {number: key for key, number in keys.items()}
    return {by_number[int(g)]: vector for g, vector in zip(found, sums)}
