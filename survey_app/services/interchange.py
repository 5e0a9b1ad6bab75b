"""Importing and exporting responses in the wide CSV format (domain/interchange.py)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.catalog import Catalog
from survey_app.domain.csv_files import CsvError, CsvRows
from survey_app.domain.interchange import (
    LEADING_COLUMNS,
    ResponseRecord,
    columns,
    flat_record,
    format_record,
)
from survey_app.domain.interchange_reading import RowReader
from survey_app.domain.submission import EXPECTATIONS, Submission
from survey_app.models import Answer, Choice, Response, Unit
from survey_app.services.bulk_responses import BulkResponses


def import_responses(session: Session, catalog: Catalog, data: bytes | Path) -> int:
    """Add every response of the file (its bytes, or its path), or none: raise CsvError naming
    each bad line.

    The file is read once, a row at a time, and the good rows are written in chunks while the
    rest is read; from the first bad row on nothing more is written, but every row is still
    checked. The caller rolls back on CsvError (what was written before the bad row goes too).
    """
    rows = CsvRows(data, expected=columns(list(catalog)), required=LEADING_COLUMNS)
    unit_ids: dict[str, int] = dict(session.execute(select(Unit.code, Unit.id)).all())
    reader = RowReader(catalog, rows.header, unit_ids)
    quick = reader.quick
    problems = rows.problems  # the rows that are not rows, in line order with the others
    with BulkResponses(session, unit_ids) as writer:
        add = writer.add
        for line, cells in rows:
            # Most rows are as an export writes them and pass the quick check; any other row
            # is read in full, which accepts it or names every problem of it.
            if (flat := quick(cells)) is None:
                record, row_problems = reader.read(line, cells)
                if row_problems:
                    problems += row_problems
                    continue
                flat = flat_record(record)
            if not problems:
                add(flat)
        if problems:
            raise CsvError(problems)
        return writer.finish()


def export_responses(session: Session, catalog: Catalog, out: TextIO, tz: ZoneInfo,
                     questionnaire_id: str | None = None, *, batch: int = 2000) -> int:
    """Write responses (all, or one questionnaire's) in submission order; return the count.

    Constant memory, whatever the number of responses: they come from a server-side cursor a
    batch at a time, each batch's answers and choices with two queries, and every row is
    written as soon as it is made.
    """
    questionnaires = [catalog.get(questionnaire_id)] if questionnaire_id else list(catalog)
    header = columns(questionnaires)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    heads = (
        select(Response.id, Response.submitted_at, Unit.code, Response.questionnaire_id, Response.channel,
               Response.locale, Response.comment)
        .join(Unit, Unit.id == Response.unit_id)
        .where(Response.questionnaire_id.in_([q.id for q in questionnaires]))
        .order_by(Response.submitted_at, Response.id)
        .execution_options(yield_per=batch)
    )
    count = 0
    for part in session.execute(heads).partitions():
        ids = [row[0] for row in part]
        ratings: dict[int, dict[str, int]] = defaultdict(dict)
        for response_id, code, value in session.execute(
                select(Answer.response_id, Answer.item_code, Answer.value).where(Answer.response_id.in_(ids))):
            ratings[response_id][code] = value
        expectations: dict[int, set[str]] = defaultdict(set)
        profiles: dict[int, dict[str, str]] = defaultdict(dict)
        for response_id, question, option in session.execute(
                select(Choice.response_id, Choice.question_code, Choice.option_code)
                .where(Choice.response_id.in_(ids))):
            if question == EXPECTATIONS:
                expectations[response_id].add(option)
            else:
                profiles[response_id][question] = option
        for response_id, submitted_at, unit, questionnaire, channel, locale, comment in part:
            submission = Submission(ratings=ratings[response_id],
                                    expectations=frozenset(expectations[response_id]),
                                    profile=profiles[response_id], comment=comment)
            writer.writerow(format_record(
                ResponseRecord(submitted_at, unit, catalog.get(questionnaire), channel, locale, submission),
                header, tz))
        count += len(part)
    return count
