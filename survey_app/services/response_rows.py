"""The responses of a report as rows for a workbook: anonymised, comments masked.

The columns are those of the wide CSV format (domain/interchange) of one questionnaire, with
the day instead of the moment of submission: a time to the minute could be matched with the
one-stop software's record of who collected a result then. No ids, no submission key, no kiosk.
A last column, ``flag``, says which responses were flagged as made up (domain.integrity): the
reasons' codes ("burst,repeated") while the response is left out of the indices, "restored: "
and the codes once an officer has restored it, empty for every other response.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.interchange import SEPARATOR, columns
from survey_app.domain.masking import mask_personal_data
from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import EXPECTATIONS
from survey_app.models import Answer, Choice, Response, ResponseFlag, Unit
from survey_app.services.figures.comments import subtree_ids

DAY_COLUMN = "submitted_on"
FLAG_COLUMN = "flag"
RESTORED = "restored: "


def response_columns(questionnaire: Questionnaire) -> list[str]:
    return [*(DAY_COLUMN if column == "submitted_at" else column for column in columns([questionnaire])),
            FLAG_COLUMN]


def response_rows(session: Session, questionnaire: Questionnaire, unit_code: str | None, period: Period,
                  tz: ZoneInfo, *, batch: int = 2000) -> Iterator[list]:
    """The header, then one list per response of the period (oldest first): the local day
    (a date), unit code, questionnaire, channel, locale, ratings (int or None), expectations
    (codes joined by ';'), profile options, the masked comment, the flag."""
    header = response_columns(questionnaire)
    yield header
    start, end = period.utc_bounds(tz)
    chosen = select(Response.id).where(Response.questionnaire_id == questionnaire.id,
                                       Response.submitted_at >= start, Response.submitted_at < end)
    ids = subtree_ids(session, unit_code)
    if ids is not None:
        chosen = chosen.where(Response.unit_id.in_(sorted(ids)))
    # A server-side cursor, a batch at a time: a province's year is held in memory no more
    # than its rows are (the workbook writes them out as they come).
    heads = session.execute(
        select(Response.id, Response.submitted_at, Unit.code, Response.channel, Response.locale, Response.comment,
               ResponseFlag.reasons, ResponseFlag.restored)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(ResponseFlag, ResponseFlag.response_id == Response.id).where(Response.id.in_(chosen))
        .order_by(Response.submitted_at, Response.id).execution_options(yield_per=batch))
    position = {column: i for i, column in enumerate(header)}
    for part in heads.partitions():
        wanted = [row[0] for row in part]
        ratings: dict[int, dict[str, int]] = defaultdict(dict)
        for response_id, code, value in session.execute(
                select(Answer.response_id, Answer.item_code, Answer.value).where(Answer.response_id.in_(wanted))):
            ratings[response_id][code] = value
        choices: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for response_id, question, option in session.execute(
                select(Choice.response_id, Choice.question_code, Choice.option_code)
                .where(Choice.response_id.in_(wanted)).order_by(Choice.option_code)):
            choices[response_id][question].append(option)
        for response_id, submitted_at, unit, channel, locale, comment, reasons, restored in part:
            row: list = [None] * len(header)
            row[:5] = [submitted_at.astimezone(tz).date(), unit, questionnaire.id, channel, locale]
            for code, value in ratings[response_id].items():
                if code in position:
                    row[position[code]] = value
            for question, options in choices[response_id].items():
                column = position.get(question)
                if column is not None:
                    row[column] = SEPARATOR.join(options) if question == EXPECTATIONS else options[0]
            row[position["comment"]] = mask_personal_data(comment) if comment else None
            if reasons:
                row[position[FLAG_COLUMN]] = RESTORED + reasons if restored else reasons
            yield row
