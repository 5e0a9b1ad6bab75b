"""Cases (``models/case.py``): a citizen asks for a reply, the unit acknowledges and answers it
with a cause, the citizen rates the answer or reopens the case once.

Every step adds a ``CaseEvent`` (the case's own history) and, when staff, the jobs or the
citizen moved it, an audit event; the messages it causes are queued by the caller through
``services/case_messages.py`` in the same transaction. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey_app.domain.audit import AuditAction
from survey_app.domain.cases import (
    OPEN_STATUSES,
    CaseStatus,
    Cause,
    ContactKind,
    Resolution,
    case_number,
    may_move,
)
from survey_app.domain.working_days import WorkingCalendar
from survey_app.models import Case, CaseEvent, Unit, User
from survey_app.services import audit
from survey_app.services.secrets import new_secret, secret_hash

CITIZEN = "citizen"          # the audit log's actor for what the citizen did through a link
JOBS = "jobs"                # and for what the background jobs did


class CaseError(ValueError):
    pass


@dataclass(frozen=True)
class CaseRules:
    """The deadlines and keeping times of cases, from the configuration (config.py)."""
    acknowledge_days: int
    answer_days: int
    close_days: int
    contact_keep_days: int
    confirm_hours: int
    calendar: WorkingCalendar
    tz: ZoneInfo

    @classmethod
    def from_config(cls, config: Mapping) -> CaseRules:
        return cls(acknowledge_days=int(config["CASE_ACKNOWLEDGE_DAYS"]), answer_days=int(config["CASE_ANSWER_DAYS"]),
                   close_days=int(config["CASE_CLOSE_DAYS"]), contact_keep_days=int(config["CASE_CONTACT_KEEP_DAYS"]),
                   confirm_hours=int(config["CASE_CONFIRM_HOURS"]),
                   calendar=WorkingCalendar.with_days_off(config["CASE_DAYS_OFF"] or ()),
                   tz=ZoneInfo(config["TIMEZONE"]))

    def today(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()


def _event(case: Case, what: str, day: date, at: datetime | None = None, user: User | None = None) -> None:
    case.events.append(CaseEvent(occurred_on=day, occurred_at=at, what=what, user=user))


def open_case(session: Session, *, unit: Unit, text: str, contact_kind: ContactKind, sealed_contact: str,
              form_key: str, today: date, rules: CaseRules) -> tuple[Case, bool]:
    """The case of this reply form, and whether it is new (False: the same form sent again).

    An e-mail contact leaves the case unconfirmed (hidden from the unit) until its link is
    followed; a phone number needs no confirmation. Its deadlines run from the day received."""
    key_hash = secret_hash(form_key)
    existing = session.scalar(select(Case).where(Case.form_key_hash == key_hash))
    if existing is not None:
        return existing, False
    for _attempt in range(5):
        sequence = (session.scalar(select(func.max(Case.sequence)).where(Case.year == today.year)) or 0) + 1
        case = Case(number=case_number(today.year, sequence), year=today.year, sequence=sequence, unit=unit,
                    received_on=today, text=text, contact_kind=str(contact_kind), contact_sealed=sealed_contact,
                    confirmed=contact_kind is ContactKind.PHONE, form_key_hash=key_hash, status=str(CaseStatus.NEW),
                    acknowledge_by=rules.calendar.add(today, rules.acknowledge_days),
                    answer_by=rules.calendar.add(today, rules.answer_days), reopened=False)
        _event(case, "received", today)
        try:
            with session.begin_nested():  # two forms at once may take the same number: try the next
                session.add(case)
                session.flush()
        except IntegrityError:
            existing = session.scalar(select(Case).where(Case.form_key_hash == key_hash))
            if existing is not None:
                return existing, False
            continue
        return case, True
    raise CaseError("no case number could be given")


def confirm(session: Session, case: Case, today: date) -> bool:
    """Let the unit see an e-mail case whose address was confirmed; False if it was already."""
    if case.confirmed:
        return False
    case.confirmed = True
    _event(case, "confirmed", today)
    session.flush()
    return True


def unconfirmed_case(session: Session, number: str) -> Case | None:
    return session.scalar(select(Case).where(Case.number == number))


def _move(session: Session, case: Case, to: CaseStatus, actor: User | str, now: datetime, rules: CaseRules,
          what: str, action: AuditAction) -> None:
    if not case.confirmed or not may_move(case.status, to):
        raise CaseError(f"a {case.status} case cannot become {to}")
    case.status = str(to)
    _event(case, what, rules.today(now), now, actor if isinstance(actor, User) else None)
    audit.record(session, actor, action, case.unit, now=now, case=case.number)


def acknowledge(session: Session, case: Case, user: User, now: datetime, rules: CaseRules) -> None:
    _move(session, case, CaseStatus.ACKNOWLEDGED, user, now, rules, "acknowledged", AuditAction.CASE_ACKNOWLEDGE)
    if case.acknowledged_at is None:
        case.acknowledged_at = now
    session.flush()


def answer(session: Session, case: Case, user: User, *, text: str, cause: str, now: datetime,
           rules: CaseRules) -> str:
    """Record the unit's answer; returns the single-use link token sent to the citizen."""
    text = (text or "").strip()
    if not text:
        raise CaseError("an answer needs its text")
    if cause not in Cause.__members__.values():
        raise CaseError(f"unknown cause {cause!r}")
    _move(session, case, CaseStatus.ANSWERED, user, now, rules, "answered", AuditAction.CASE_ANSWER)
    token = new_secret()
    case.answer_text, case.cause, case.answered_at = text, cause, now
    case.first_answered_at = case.first_answered_at or now
    case.answer_token_hash = secret_hash(token)
    session.flush()
    return token


def case_for_answer(session: Session, token: str) -> Case | None:
    """The answered case a citizen's link opens, or None (unknown, or used already)."""
    if not token:
        return None
    return session.scalar(select(Case).where(Case.answer_token_hash == secret_hash(token),
                                             Case.status == CaseStatus.ANSWERED))


def rate(session: Session, case: Case, *, resolution: str, rating: int, now: datetime, rules: CaseRules) -> None:
    """The citizen's follow-up: solved or not, and 1-5; it closes the case and uses the link."""
    if resolution not in Resolution.__members__.values() or rating not in range(1, 6):
        raise CaseError("a rating needs a resolution and a mark from 1 to 5")
    case.resolution, case.rating = resolution, rating
    _event(case, "rated", rules.today(now), now)
    _close(session, case, CITIZEN, now, rules)


def reopen(session: Session, case: Case, *, now: datetime, rules: CaseRules) -> None:
    """Once per case: back to acknowledged, with a new answer deadline; the link is used."""
    if case.reopened:
        raise CaseError("a case is reopened once only")
    _move(session, case, CaseStatus.ACKNOWLEDGED, CITIZEN, now, rules, "reopened", AuditAction.CASE_REOPEN)
    case.reopened = True
    case.answer_token_hash = None
    case.reanswer_by = rules.calendar.add(rules.today(now), rules.answer_days)
    session.flush()


def _close(session: Session, case: Case, actor: User | str, now: datetime, rules: CaseRules) -> None:
    _move(session, case, CaseStatus.CLOSED, actor, now, rules, "closed", AuditAction.CASE_CLOSE)
    case.closed_at = now
    case.answer_token_hash = None
    session.flush()


def close_unrated(session: Session, case: Case, now: datetime, rules: CaseRules) -> None:
    """CASE_CLOSE_DAYS after the answer, unrated: closed by the jobs."""
    _close(session, case, JOBS, now, rules)


def is_overdue(case: Case, today: date) -> bool:
    if case.status == CaseStatus.NEW:
        return today > case.acknowledge_by
    return case.status == CaseStatus.ACKNOWLEDGED and today > case.answer_due


def contact_visible_to(case: Case, user: User) -> bool:
    """Only staff handling the case's own unit, and only while the case is open."""
    return (user.role == "staff" and user.unit_id == case.unit_id and case.status in OPEN_STATUSES
            and case.contact_sealed is not None)


def may_handle(case: Case, user: User) -> bool:
    """Acknowledging and answering: the unit's own staff (and admins of its scope)."""
    return user.role in ("staff", "admin")


def queue(session: Session, unit_ids: set[int], *, status: str | None, today: date,
          escalated_only: bool = False) -> list[Case]:
    """Confirmed cases of these units, overdue first, then by deadline, oldest first."""
    query = select(Case).where(Case.unit_id.in_(unit_ids), Case.confirmed.is_(True))
    if status:
        query = query.where(Case.status == status)
    if escalated_only:
        query = query.where(Case.escalated_at.is_not(None))
    found = list(session.scalars(query.order_by(Case.received_on, Case.id)))

    def deadline(case: Case) -> date:
        return case.acknowledge_by if case.status == CaseStatus.NEW else case.answer_due

    open_first = sorted(found, key=lambda c: (not is_overdue(c, today), c.status not in OPEN_STATUSES,
                                              deadline(c), c.id))
    return open_first


def case_by_number(session: Session, number: str) -> Case | None:
    return session.scalar(select(Case).where(Case.number == number, Case.confirmed.is_(True)))
