"""Subscriptions: what an account receives by e-mail (domain/subscriptions.py says when), set on
its own page, sent by ``notifications send-due``, ended by a signed one-click link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from survey_app.domain.subscriptions import DIGEST, FREQUENCIES, REPORT, Due, due_now, is_due
from survey_app.models import Subscription, Unit, User
from survey_app.services.accounts import in_scope


class SubscriptionError(ValueError):
    pass


@dataclass(frozen=True)
class Choice:
    """What the subscriptions page sets: the digest or not, a report or not."""

    digest: bool
    report_frequency: str | None  # "month", "quarter" or None
    report_unit: Unit | None      # None: the account's whole scope
    language: str


def subscriptions_of(session: Session, user: User) -> list[Subscription]:
    return list(session.scalars(select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.id)))


def save_choice(session: Session, user: User, choice: Choice, *, now: datetime) -> list[Subscription]:
    """Replace ``user``'s subscriptions by ``choice``; a report's unit must be in the account's
    scope. A period already sent is not sent again (its key is kept). Flushes."""
    if choice.report_frequency is not None and choice.report_frequency not in FREQUENCIES:
        raise SubscriptionError(f"unknown frequency {choice.report_frequency}")
    if choice.report_unit is not None and not in_scope(session, user, choice.report_unit):
        raise SubscriptionError("that unit is outside the account's scope")
    before = {(s.kind, s.frequency, s.unit_id): s.last_sent for s in subscriptions_of(session, user)}
    session.execute(delete(Subscription).where(Subscription.user_id == user.id))
    wanted = []
    if choice.digest:
        wanted.append((DIGEST, None, None))
    if choice.report_frequency:
        wanted.append((REPORT, choice.report_frequency, choice.report_unit.id if choice.report_unit else None))
    made = [Subscription(user_id=user.id, kind=kind, frequency=frequency, unit_id=unit_id, language=choice.language,
                         last_sent=before.get((kind, frequency, unit_id)), created_at=now)
            for kind, frequency, unit_id in wanted]
    session.add_all(made)
    session.flush()
    return made


def due_subscriptions(session: Session, local_now: datetime) -> list[tuple[Subscription, Due]]:
    """Every subscription of an active account that is due now, with what it is due for."""
    rows = session.scalars(select(Subscription).join(User, User.id == Subscription.user_id)
                           .where(User.active.is_(True)).order_by(Subscription.id))
    found = []
    for subscription in rows:
        due = due_now(subscription.kind, subscription.frequency, local_now)
        if is_due(subscription.last_sent, due):
            found.append((subscription, due))
    return found


def claim(session: Session, subscription: Subscription, due: Due) -> bool:
    """Mark ``due`` sent for ``subscription`` unless another run did first (a conditional
    UPDATE, settled by the database): True when this run sends it."""
    last = Subscription.last_sent
    result = session.execute(
        update(Subscription).where(Subscription.id == subscription.id,
                                   (last.is_(None)) if subscription.last_sent is None else (last == subscription.last_sent))
        .values(last_sent=due.key).execution_options(synchronize_session=False))
    return result.rowcount == 1


def unsubscribe(session: Session, subscription_id: int) -> Subscription | None:
    """End a subscription (the signed link's); None when it is gone already. Flushes."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is not None:
        session.delete(subscription)
        session.flush()
    return subscription


def unsubscribe_token(secret_key: str, subscription_id: int) -> str:
    """What the one-click link carries: the subscription's id, signed with the app's key."""
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(subscription_id)


def token_subscription(secret_key: str, token: str) -> int | None:
    """The subscription id a link names, or None for a token not signed by this installation."""
    try:
        found = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return found if isinstance(found, int) else None


_SALT = "survey_app.unsubscribe"
