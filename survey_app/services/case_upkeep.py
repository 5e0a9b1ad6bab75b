"""What the background jobs do to cases (``flask jobs purge``, run by cron, and the worker):
drop e-mail requests never confirmed, close answers left unrated, delete contacts of closed
cases after CASE_CONTACT_KEEP_DAYS, and escalate overdue cases to the officers above, once.

The messages these cause are queued by ``notices`` (jobs/case_notices.py) in the same
transaction; the caller commits once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey_app.domain.audit import AuditAction
from survey_app.domain.cases import CaseStatus
from survey_app.models import Case, CaseEvent, Unit, User
from survey_app.services import audit
from survey_app.services.cases import JOBS, CaseRules, close_unrated, is_overdue


class EscalationNotices(Protocol):
    def escalation(self, case: Case, officers: list[User]) -> None: ...


@dataclass(frozen=True)
class UpkeepDone:
    dropped: int
    closed: int
    contacts_deleted: int
    escalated: int


def officers_above(session: Session, unit: Unit) -> list[User]:
    """Active officers of the unit or of a unit above it, and those who cover every unit."""
    chain, current = set(), unit
    while current is not None:
        chain.add(current.id)
        current = current.parent
    return list(session.scalars(select(User).where(
        User.role == "officer", User.active.is_(True),
        (User.unit_id.in_(chain)) | (User.unit_id.is_(None))).order_by(User.id)))


def drop_unconfirmed(session: Session, now: datetime, rules: CaseRules) -> int:
    """E-mail requests whose link can no longer work (it is valid CASE_CONFIRM_HOURS; the day
    received is all the database knows, so a day more is waited)."""
    last_kept = rules.today(now) - timedelta(days=math.ceil(rules.confirm_hours / 24) + 1)
    stale = list(session.scalars(select(Case).where(Case.confirmed.is_(False), Case.received_on < last_kept)))
    for case in stale:
        session.delete(case)  # and its history
    session.flush()
    return len(stale)


def close_unrated_answers(session: Session, now: datetime, rules: CaseRules) -> int:
    due = session.scalars(select(Case).where(Case.status == CaseStatus.ANSWERED,
                                             Case.answered_at <= now - timedelta(days=rules.close_days)))
    closed = 0
    for case in due:
        close_unrated(session, case, now, rules)
        closed += 1
    return closed


def delete_old_contacts(session: Session, now: datetime, rules: CaseRules) -> int:
    done = session.scalars(select(Case).where(
        Case.status == CaseStatus.CLOSED, Case.contact_sealed.is_not(None),
        Case.closed_at <= now - timedelta(days=rules.contact_keep_days)))
    count = 0
    for case in done:
        case.contact_sealed = None
        case.events.append(CaseEvent(occurred_on=rules.today(now), occurred_at=now, what="contact_deleted"))
        count += 1
    session.flush()
    return count


def escalate_overdue(session: Session, now: datetime, rules: CaseRules, notices: EscalationNotices) -> int:
    """Each overdue case once: the conditional UPDATE lets one run of the jobs take it, however
    many run at once, and an escalated case is never escalated again (not even reopened)."""
    today = rules.today(now)
    candidates = session.scalars(select(Case).where(
        Case.confirmed.is_(True), Case.escalated_at.is_(None),
        Case.status.in_((CaseStatus.NEW, CaseStatus.ACKNOWLEDGED))))
    escalated = 0
    for case in [c for c in candidates if is_overdue(c, today)]:
        taken = session.execute(update(Case).where(Case.id == case.id, Case.escalated_at.is_(None))
                                .values(escalated_at=now).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            continue
        session.refresh(case)
        case.events.append(CaseEvent(occurred_on=today, occurred_at=now, what="escalated"))
        audit.record(session, JOBS, AuditAction.CASE_ESCALATE, case.unit, now=now, case=case.number)
        notices.escalation(case, officers_above(session, case.unit))
        escalated += 1
    return escalated


def keep_cases(session: Session, now: datetime, rules: CaseRules, notices: EscalationNotices) -> UpkeepDone:
    return UpkeepDone(dropped=drop_unconfirmed(session, now, rules),
                      closed=close_unrated_answers(session, now, rules),
                      contacts_deleted=delete_old_contacts(session, now, rules),
                      escalated=escalate_overdue(session, now, rules, notices))
