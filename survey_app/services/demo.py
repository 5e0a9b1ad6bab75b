"""Storing the demo province (domain/demo_plan.py decides what it holds).

Responses go in with bulk inserts (executemany on SQLite, COPY on PostgreSQL) rather than one ORM
flush each, which is what keeps ``make run`` quick; they are checked first by the same rules as
every stored response. Answers to invitations go through the invitation services instead, so
that each one is recorded exactly as a citizen's answer would be (the invitation claimed and its
day recorded, nothing linking it to its response).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from survey_app.domain.catalog import Catalog
from survey_app.domain.demo_plan import DemoPlan, PlannedResponse, plan_demo
from survey_app.domain.submission import CHANNELS, EXPECTATIONS, submission_problems
from survey_app.models import Answer, Choice, Response, Unit
from survey_app.services.figures.cells import SumsCollector
from survey_app.services.invitation_responses import (
    InvitationOutcome,
    submit_invitation,
)
from survey_app.services.invitations import issue_invitations
from survey_app.services.responses import InvalidSubmission

# What COPY's text format needs escaped (codes never hold these; a value must not break a row).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class DemoSummary:
    units: int
    responses: int
    invitations: int = 0
    answered: int = 0


def create_demo(session: Session, catalog: Catalog, *, responses: int, seed: int, now: datetime,
                invitations: bool = False, valid_for: timedelta = timedelta(days=30)) -> DemoSummary:
    """The demo province and ``responses`` responses over the eight quarters before ``now`` and
    the current one; with ``invitations``, some units issue invitations and some of those
    responses answer them. ``now`` is aware, in the deployment's time zone. Flushes.

    Invitations are off unless asked for: a caller that later deletes responses (an export and
    re-import test) would otherwise keep answered invitations whose answers are gone.
    """
    plan = plan_demo(catalog, responses=responses, seed=seed, now=now, invitations=invitations,
                     valid_for=valid_for)
    units = _store_units(session, plan)
    _store_responses(session, catalog, units, plan.responses)
    issued = _store_invitations(session, catalog, units, plan, valid_for, now.tzinfo)
    return DemoSummary(units=len(units), responses=plan.response_count, invitations=issued,
                       answered=plan.response_count - len(plan.responses))


def _store_units(session: Session, plan: DemoPlan) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, parent in plan.units:
        units[code] = Unit(code=code, name=name, parent=units[parent] if parent else None)
    session.add_all(units.values())
    session.flush()
    return units


def _store_responses(session: Session, catalog: Catalog, units: dict[str, Unit],
                     planned: tuple[PlannedResponse, ...]) -> None:
    for r in planned:
        q = catalog.get(r.questionnaire)
        problems = submission_problems(q, r.submission)
        if r.locale not in q.languages or r.channel not in CHANNELS:
            problems.append(f"locale {r.locale} or channel {r.channel} not allowed")
        if problems:
            raise InvalidSubmission(problems)
    if not planned:
        return
    rows = [{
        "unit_id": units[r.unit].id, "questionnaire_id": r.questionnaire,
        "questionnaire_version": catalog.get(r.questionnaire).version,
        "questionnaire_hash": catalog.get(r.questionnaire).content_hash,
        "locale": r.locale, "channel": r.channel, "submitted_at": r.submitted_at,
        "comment": r.submission.comment,
    } for r in planned]
    # Core inserts (the ORM's bulk mode costs several times more per row); RETURNING in
    # parameter order pairs each new id with its planned response.
    responses = Response.__table__
    ids = session.execute(insert(responses).returning(responses.c.id, sort_by_parameter_order=True),
                          rows).scalars().all()
    _insert_plain(session, Answer.__table__, [
        (i, code, value) for i, r in zip(ids, planned) for code, value in r.submission.ratings.items()])
    _insert_plain(session, Choice.__table__, [
        (i, EXPECTATIONS, code) for i, r in zip(ids, planned) for code in sorted(r.submission.expectations)
    ] + [(i, code, option) for i, r in zip(ids, planned) for code, option in r.submission.profile.items()])
    # Counted in the figures' sums in the same transaction, as an import is.
    sums = SumsCollector({code: unit.id for code, unit in units.items()})
    sums.collect([(r.submitted_at, r.unit, catalog.get(r.questionnaire), r.channel, r.locale,
                   list(r.submission.ratings.items()), [(EXPECTATIONS, code) for code in r.submission.expectations],
                   None) for r in planned])
    sums.write(session)


def _insert_plain(session: Session, table: Table, rows: list[tuple]) -> None:
    """``rows`` (values of the table's columns, in order) straight to the driver, in its quickest way.

    Only for tables of plain integers and strings, which need none of SQLAlchemy's per-row
    parameter processing (it doubled the time of the demo's largest insert on SQLite). On
    PostgreSQL, COPY: psycopg's executemany sends one statement per row, a multi-row INSERT
    makes it convert every parameter in Python, and both took seconds here.
    """
    if not rows:
        return
    connection = session.connection()
    columns = ", ".join(column.name for column in table.columns)
    if connection.dialect.name == "postgresql":
        # COPY's text format, written whole: psycopg's write_row adapts value by value, slowly.
        # The same connection, so the rows are part of the session's transaction.
        data = "".join("\t".join(str(value).translate(_COPY_ESCAPES) for value in row) + "\n" for row in rows)
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            copy.write(data)
    elif connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in table.columns)
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", rows)
    else:
        session.execute(insert(table), [dict(zip(table.columns.keys(), row)) for row in rows])


def _store_invitations(session: Session, catalog: Catalog, units: dict[str, Unit], plan: DemoPlan,
                       valid_for: timedelta, tz: tzinfo) -> int:
    issued_count = 0
    for batch in plan.batches:
        issued = issue_invitations(session, unit=units[batch.unit], count=batch.count, now=batch.issued_at,
                                   valid_days=valid_for.days, tz=tz, channel=batch.channel)
        issued_count += len(issued)
        for invitation, answer in zip(issued, batch.answers):
            outcome = submit_invitation(session, invitation=invitation.invitation,
                                        questionnaire=catalog.get(answer.questionnaire),
                                        submission=answer.submission, locale=answer.locale,
                                        now=answer.submitted_at, tz=tz)
            if outcome is not InvitationOutcome.STORED:
                raise RuntimeError(f"demo invitation of {batch.unit} not answered: {outcome}")
    return issued_count
