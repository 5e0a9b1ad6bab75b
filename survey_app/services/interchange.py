"""Importing and exporting responses in the wide CSV format (domain/interchange.py)."""

from __future__ import annotations

import csv
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey_app.domain.catalog import Catalog
from survey_app.domain.csv_files import CsvError, read_records
from survey_app.domain.interchange import (
    LEADING_COLUMNS,
    ResponseRecord,
    columns,
    format_record,
    parse_record,
)
from survey_app.models import Response, Unit
from survey_app.services.responses import record_response, submission_of


def import_responses(session: Session, catalog: Catalog, data: bytes) -> int:
    """Add every response of the file, or none: raise CsvError naming each bad line."""
    _, rows = read_records(data, expected=columns(list(catalog)), required=LEADING_COLUMNS)
    units = {unit.code: unit for unit in session.scalars(select(Unit))}
    records: list[ResponseRecord] = []
    problems: list[str] = []
    for line, row in rows:
        record, row_problems = parse_record(catalog, line, row, set(units))
        problems += row_problems
        if record is not None:
            records.append(record)
    if problems:
        raise CsvError(problems)
    for record in records:
        record_response(
            session, unit=units[record.unit], questionnaire=record.questionnaire,
            submission=record.submission, locale=record.locale, channel=record.channel,
            submitted_at=record.submitted_at,
        )
    return len(records)


def export_responses(session: Session, catalog: Catalog, out: TextIO, tz: ZoneInfo,
                     questionnaire_id: str | None = None) -> int:
    """Write responses (all, or one questionnaire's) in submission order; return the count."""
    questionnaires = [catalog.get(questionnaire_id)] if questionnaire_id else list(catalog)
    header = columns(questionnaires)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    query = (
        select(Response)
        .where(Response.questionnaire_id.in_([q.id for q in questionnaires]))
        .options(selectinload(Response.answers), selectinload(Response.choices),
                 selectinload(Response.unit))
        .order_by(Response.submitted_at, Response.id)
        .execution_options(yield_per=1000)
    )
    count = 0
    for response in session.scalars(query):
        record = ResponseRecord(
            submitted_at=response.submitted_at, unit=response.unit.code,
            questionnaire=catalog.get(response.questionnaire_id), channel=response.channel,
            locale=response.locale, submission=submission_of(response),
        )
        writer.writerow(format_record(record, header, tz))
        count += 1
    return count
