"""services.submissions.submit: one submission, whichever way it came, stored once and screened
by the time it was given, with an outcome saying what became of it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from factories import full_submission, invitations, kiosk, sipas, submission, unit_tree
from sqlalchemy import func, select

from survey_app.domain.integrity import IntegrityRules, Reason
from survey_app.domain.submission import Channel, Outcome, Submission
from survey_app.extensions import db
from survey_app.models import Invitation, Response, ResponseFlag
from survey_app.services.responses import InvalidSubmission
from survey_app.services.submissions import Arrival, Submitted, submit

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
RULES = IntegrityRules(burst_seconds=60, kiosk_burst_count=4, link_burst_count=3, fast_seconds=15,
                       repeat_count=4, repeat_seconds=600)


@pytest.fixture
def unit(app):
    with app.app_context():
        units = unit_tree(db.session, "P01")
        db.session.commit()
        yield units["P01"]
        db.session.rollback()


def arrive(unit, key: str, *, at: datetime = T0, answers: Submission | None = None, now: datetime | None = None,
           **how) -> Submitted:
    q = sipas()
    how.setdefault("channel", Channel.LINK)
    return submit(db.session, Arrival(unit=unit, questionnaire=q, submission=answers or submission(q, TC1=4),
                                      locale="vi", submission_key=key, given_at=at, **how),
                  rules=RULES, now=now or at, tz=VN)


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_a_submission_is_stored_once_per_key(unit):
    first = arrive(unit, "a" * 20)
    assert first.outcome is Outcome.STORED and first.counted and first.thanked
    assert db.session.get(Response, first.response_id).submitted_at.replace(tzinfo=timezone.utc) == T0
    again = arrive(unit, "a" * 20, at=T0 + timedelta(seconds=5), answers=submission(sipas(), TC1=1))
    assert again == Submitted(Outcome.REPEATED)
    assert again.thanked and not again.counted
    assert stored() == 1


def test_an_invalid_submission_raises_and_writes_nothing(unit):
    with pytest.raises(InvalidSubmission):
        arrive(unit, "b" * 20, answers=Submission())
    assert stored() == 0


def test_the_outcome_says_why_a_response_is_flagged(unit):
    q = sipas()
    fast = arrive(unit, "c" * 20, answers=full_submission(q, 5), served_at=T0 - timedelta(seconds=5))
    assert fast.outcome is Outcome.STORED
    assert fast.flagged_for == {Reason.FAST_IDENTICAL} and not fast.counted
    slow = arrive(unit, "d" * 20, answers=full_submission(q, 5), served_at=T0 - timedelta(seconds=200))
    assert slow.flagged_for == frozenset() and slow.counted


def test_screened_by_the_time_given_not_the_time_recorded(unit):
    """A kiosk's queued answers reach us together; given ten minutes apart, they are no burst."""
    counter, _key = kiosk(db.session, unit)
    recorded = T0 + timedelta(hours=2)
    outcomes = [arrive(unit, f"k{i:019d}", at=T0 + timedelta(minutes=10 * i), now=recorded,
                       channel=Channel.KIOSK, kiosk_id=counter.id) for i in range(6)]
    assert all(o.counted for o in outcomes)
    assert {r.replace(tzinfo=timezone.utc) for r in db.session.scalars(select(Response.submitted_at))} == {
        T0 + timedelta(minutes=10 * i) for i in range(6)}
    # Given within a minute, six are a burst (more than 4 on one kiosk).
    burst = [arrive(unit, f"m{i:019d}", at=T0 + timedelta(hours=1, seconds=5 * i), now=recorded,
                    channel=Channel.KIOSK, kiosk_id=counter.id) for i in range(6)]
    assert [bool(o.flagged_for) for o in burst] == [False] * 4 + [True] * 2
    flagged_at = {f.flagged_at.replace(tzinfo=timezone.utc) for f in db.session.scalars(select(ResponseFlag))}
    assert flagged_at == {recorded}


def issued(unit, at: datetime = T0) -> Invitation:
    invitation = invitations(db.session, unit, 1, at=at)[0].invitation
    db.session.commit()
    return invitation


def test_an_invitation_is_claimed_and_answered_once(unit):
    invitation = issued(unit)
    first = arrive(unit, "e" * 20, channel=Channel.INVITATION, invitation=invitation)
    assert first.outcome is Outcome.STORED
    assert invitation.answered_on is not None
    assert arrive(unit, "e" * 20, channel=Channel.INVITATION, invitation=invitation).outcome is Outcome.REPEATED
    assert arrive(unit, "f" * 20, channel=Channel.INVITATION, invitation=invitation).outcome is Outcome.ANSWERED
    late = issued(unit)
    assert arrive(unit, "g" * 20, at=late.expires_at.replace(tzinfo=timezone.utc), channel=Channel.INVITATION,
                  invitation=late).outcome is Outcome.EXPIRED
    assert stored() == 1


def test_an_invalid_invitation_answer_does_not_use_up_the_invitation(unit):
    invitation = issued(unit)
    with pytest.raises(InvalidSubmission):
        arrive(unit, "h" * 20, channel=Channel.INVITATION, invitation=invitation, answers=Submission())
    assert invitation.answered_on is None
    db.session.commit()
    assert db.session.get(Invitation, invitation.id).answered_on is None


def test_a_stored_key_does_not_use_up_another_invitation(unit):
    arrive(unit, "i" * 20)
    invitation = issued(unit)
    assert arrive(unit, "i" * 20, channel=Channel.INVITATION, invitation=invitation).outcome is Outcome.REPEATED
    assert invitation.answered_on is None
