"""The audit log: ``record`` what someone did, in the same transaction as the deed, and read
the log back, newest first.

An event is flushed, never committed: the view or command that did the work commits both at
once, so that an action that fails (and rolls back) leaves no event, and an event never
exists for work that was not done.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from survey_app.domain.audit import AuditAction, checked_detail
from survey_app.models import AuditEvent, Unit, User

# The actor: the signed-in account, or the operator of a command ("cli:<system user>").
Actor = User | str

MAX_OPERATOR_LENGTH = 64


def record(session: Session, actor: Actor, action: AuditAction, unit: Unit | None = None,
           *, now: datetime | None = None, **detail: object) -> AuditEvent:
    """Add an event; ``detail`` is checked against ``domain.audit.DETAIL_KEYS``."""
    event = AuditEvent(occurred_at=now or datetime.now(timezone.utc), action=str(AuditAction(action)),
                       unit=unit, detail=checked_detail(detail))
    if isinstance(actor, User):
        event.user = actor
    else:
        event.operator = actor[:MAX_OPERATOR_LENGTH]
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class LogPage:
    events: list[AuditEvent]
    has_more: bool  # older events exist beyond this page


def _query(since: datetime | None, action: str | None, unit_ids: set[int] | None):
    query = (select(AuditEvent).options(joinedload(AuditEvent.user), joinedload(AuditEvent.unit))
             .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if action:
        query = query.where(AuditEvent.action == action)
    if unit_ids is not None:
        query = query.where(AuditEvent.unit_id.in_(unit_ids))
    return query


def events(session: Session, *, since: datetime | None = None, action: str | None = None,
           unit_ids: set[int] | None = None, limit: int = 50, offset: int = 0) -> LogPage:
    """Events newest first, at or after ``since``, of one ``action``, and (``unit_ids`` given)
    only those about one of these units; ``limit`` events from ``offset``."""
    # One more than asked tells whether there is a next page, without counting the table.
    found = list(session.scalars(_query(since, action, unit_ids).offset(offset).limit(limit + 1)))
    return LogPage(found[:limit], len(found) > limit)


def every_event(session: Session, *, since: datetime | None = None, action: str | None = None) -> Iterator[AuditEvent]:
    """Every event newest first, read a batch at a time: a log of years need not fit in memory."""
    return iter(session.scalars(_query(since, action, None).execution_options(yield_per=1000)))


def actor_name(event: AuditEvent) -> str:
    """Who did it, as the log shows it: the account's e-mail, or the operator."""
    return event.user.email if event.user is not None else event.operator
