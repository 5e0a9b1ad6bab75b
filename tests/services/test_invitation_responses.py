"""services.invitation_responses: what becomes of a submission for an invitation.

``submit_invitation`` returns STORED (this submission is the answer), REPEATED (the same form,
by its submission key, was stored before), ANSWERED (another form answered it) or EXPIRED, and
stores at most one response per invitation, also when several sessions race for it on the
live database (SQLite or PostgreSQL, whichever the suite runs on).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from factories import full_submission, invitations, sipas, submission, unit_tree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.extensions import db
from survey_app.models import Invitation, Response
from survey_app.services.invitation_responses import (
    InvitationOutcome,
    closed_outcome,
    submit_invitation,
)
from survey_app.services.responses import InvalidSubmission
from survey_app.services.units import unit_by_code

NOW = datetime(2026, 5, 4, 3, 0, tzinfo=timezone.utc)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
KEY = "k" * 20


@pytest.fixture
def ctx(app):
    with app.app_context():
        unit_tree(db.session, "P01")
        db.session.commit()
        yield app
        db.session.rollback()


def issue(count: int = 1, at: datetime = NOW) -> list[Invitation]:
    issued = invitations(db.session, unit_by_code(db.session, "P01"), count, at=at)
    db.session.commit()
    return [item.invitation for item in issued]


def response_count(session: Session | None = None) -> int:
    return (session or db.session).scalar(select(func.count()).select_from(Response))


def submit(invitation: Invitation, *, at: datetime = NOW, key: str | None = KEY, level: int = 5):
    q = sipas()
    return submit_invitation(db.session, invitation=invitation, questionnaire=q,
                             submission=submission(q, TC1=level), locale="vi", now=at,
                             tz=VN, submission_key=key)


def test_submit_invitation_refuses_an_answered_or_expired_invitation(ctx):
    first, second = issue(count=2)
    q = sipas()
    answers = submission(q, TC1=5)
    outcome = submit_invitation(db.session, invitation=first, questionnaire=q, submission=answers,
                                locale="vi", now=NOW, tz=VN, submission_key=KEY)
    assert outcome is InvitationOutcome.STORED
    (response,) = db.session.scalars(select(Response))
    assert first.answered_on == date(2026, 5, 4)  # the day, never the time
    assert response.channel == "invitation"
    db.session.commit()

    again = dict(invitation=first, questionnaire=q, submission=answers, locale="vi",
                 now=NOW + timedelta(seconds=1), tz=VN)
    assert submit_invitation(db.session, **again, submission_key=KEY) is InvitationOutcome.REPEATED
    assert submit_invitation(db.session, **again, submission_key="x" * 20) is InvitationOutcome.ANSWERED
    assert submit_invitation(db.session, **again) is InvitationOutcome.ANSWERED
    assert submit_invitation(db.session, invitation=second, questionnaire=q, submission=answers,
                             locale="vi", now=second.expires_at, tz=VN) is InvitationOutcome.EXPIRED
    db.session.rollback()
    assert response_count() == 1
    assert second.answered_on is None


def test_the_stored_response_is_the_submission_with_the_invitations_unit(ctx):
    (invitation,) = issue()
    invitation_id = invitation.id
    q = sipas()
    answers = full_submission(q, 4, PA4=0, expectations=("MD3",), comment="Nhanh.")
    assert submit_invitation(db.session, invitation=invitation, questionnaire=q, submission=answers,
                             locale="en", now=NOW, tz=VN, submission_key=KEY) is InvitationOutcome.STORED
    db.session.commit()
    db.session.expunge_all()
    (stored,) = db.session.scalars(select(Response))
    assert (stored.unit.code, stored.channel, stored.locale, stored.submitted_at, stored.submission_key) == (
        "P01", "invitation", "en", NOW, KEY)
    assert {a.item_code: a.value for a in stored.answers} == {
        **{code: 4 for code in q.criterion_codes}, "PA4": 0}
    assert stored.comment == "Nhanh."
    assert [(c.question_code, c.option_code) for c in stored.choices] == [("expectations", "MD3")]
    row = db.session.get(Invitation, invitation_id)
    assert row.answered_on == date(2026, 5, 4)


def test_the_last_moment_before_expiry_still_counts(ctx):
    (invitation,) = issue()
    assert submit(invitation, at=invitation.expires_at - timedelta(microseconds=1)) is InvitationOutcome.STORED
    (late,) = issue()
    assert submit(late, at=late.expires_at, key="y" * 20) is InvitationOutcome.EXPIRED
    db.session.commit()
    assert response_count() == 1


def test_closed_outcome_is_none_while_the_invitation_can_be_answered(ctx):
    (invitation,) = issue()
    assert closed_outcome(db.session, invitation, NOW, KEY) is None
    assert closed_outcome(db.session, invitation, invitation.expires_at, KEY) is InvitationOutcome.EXPIRED
    assert submit(invitation) is InvitationOutcome.STORED
    assert closed_outcome(db.session, invitation, NOW, KEY) is InvitationOutcome.REPEATED
    assert closed_outcome(db.session, invitation, NOW, "z" * 20) is InvitationOutcome.ANSWERED
    assert closed_outcome(db.session, invitation, NOW, None) is InvitationOutcome.ANSWERED
    # Answered before it expired: still "answered" afterwards, not "expired".
    assert closed_outcome(db.session, invitation, invitation.expires_at + timedelta(days=1), None) \
        is InvitationOutcome.ANSWERED


def test_only_a_stored_or_repeated_submission_is_thanked():
    assert {o for o in InvitationOutcome if o.thanked} == {InvitationOutcome.STORED, InvitationOutcome.REPEATED}


def test_an_invalid_submission_raises_and_a_rollback_leaves_the_invitation_open(ctx):
    (invitation,) = issue()
    with pytest.raises(InvalidSubmission):
        submit(invitation, level=9)
    db.session.rollback()
    assert invitation.answered_on is None and response_count() == 0
    assert submit(invitation, level=3) is InvitationOutcome.STORED
    db.session.commit()
    assert response_count() == 1


# ----------------------------------------------------------------------------- real races

RACERS = 10


def race(app, invitation_id: int, keys: list[str]) -> list[tuple[InvitationOutcome, int]]:
    """Every key submits for the invitation from its own thread and database session, released
    together by a barrier; each rates TC1 with its own level. Returns (outcome, level) each."""
    q = sipas()
    with app.app_context():
        engine = db.engine
    barrier = threading.Barrier(len(keys))

    def one(index: int) -> tuple[InvitationOutcome, int]:
        level = 1 + index % 5
        with Session(engine) as session:
            invitation = session.get(Invitation, invitation_id)
            assert invitation.unit is not None  # loaded before the race, as a view has it
            barrier.wait(timeout=60)
            outcome = submit_invitation(session, invitation=invitation, questionnaire=q,
                                        submission=submission(q, TC1=level), locale="vi", now=NOW,
                                        tz=VN, submission_key=keys[index])
            session.commit()
            return outcome, level

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        return list(pool.map(one, range(len(keys))))


def stored_levels(app, invitation_id: int) -> tuple[list[int], date | None]:
    with app.app_context():
        levels = [a.value for r in db.session.scalars(select(Response)) for a in r.answers]
        return levels, db.session.get(Invitation, invitation_id).answered_on


def test_racing_sessions_store_exactly_one_answer(ctx):
    (invitation,) = issue()
    invitation_id = invitation.id
    db.session.remove()

    results = race(ctx, invitation_id, [f"racer-{i:02d}-0123456789" for i in range(RACERS)])

    outcomes = sorted(outcome.value for outcome, _ in results)
    assert outcomes == ["answered"] * (RACERS - 1) + ["stored"], outcomes
    ((_, winner),) = [r for r in results if r[0] is InvitationOutcome.STORED]
    levels, answered_on = stored_levels(ctx, invitation_id)
    assert levels == [winner]  # one response, the winner's
    assert answered_on == date(2026, 5, 4)


def test_a_double_tap_racing_itself_is_stored_once_and_thanked_twice(ctx):
    (invitation,) = issue()
    invitation_id = invitation.id
    db.session.remove()

    # Both taps carry the same form, so the same submission key.
    results = race(ctx, invitation_id, ["same-form-0123456789"] * 2)

    assert sorted(outcome.value for outcome, _ in results) == ["repeated", "stored"]
    assert all(outcome.thanked for outcome, _ in results)
    ((_, winner),) = [r for r in results if r[0] is InvitationOutcome.STORED]
    levels, _ = stored_levels(ctx, invitation_id)
    assert levels == [winner]
