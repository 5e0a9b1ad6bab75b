"""services.invitations: issuing (checked, only hashes kept), finding by token, status, the
one-winner claim, and the counts per unit behind the response rate."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from factories import unit_tree
from sqlalchemy import func, select

from survey_app.domain.invitation import InvitationStatus
from survey_app.extensions import db
from survey_app.models import Invitation
from survey_app.services.invitations import (
    MAX_PER_REQUEST,
    InvitationError,
    claim,
    invitation_by_token,
    issue_invitations,
    issued_per_unit,
    status,
)
from survey_app.services.secrets import keyed_hash, secret_hash

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)
MONTH = timedelta(days=30)
DAY = date(2026, 3, 10)  # the local day of NOW in Asia/Ho_Chi_Minh (09:00)


@pytest.fixture
def units(app):
    with app.app_context():
        made = unit_tree(db.session, "Q1 > P01, P02")
        db.session.commit()
        yield made
        db.session.rollback()


def issue(unit, count: int = 1, *, at: datetime = NOW, **kwargs):
    return issue_invitations(db.session, unit=unit, count=count, now=at, valid_for=MONTH,
                             reference_key="ref-key", **kwargs)


def invitation_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation))


def test_issued_invitations_keep_only_hashes_of_the_token_and_the_reference(units):
    (one,) = issue(units["P01"], procedure=" 1.004227 ", reference=" 000.00.01.H29-240101-0001 ",
                   channel="online", user_id=None)
    db.session.commit()
    row = one.invitation
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", one.token)
    assert row.token_hash == secret_hash(one.token) and one.token not in (row.public_id, row.token_hash)
    assert row.reference_hash == keyed_hash("ref-key", "000.00.01.H29-240101-0001")
    assert row.procedure_code == "1.004227"
    assert (row.channel, row.issued_at, row.expires_at) == ("online", NOW, NOW + MONTH)
    assert row.answered_on is None
    assert re.fullmatch(r"[0-9a-f]{32}", row.public_id)


def test_a_batch_has_distinct_tokens_and_public_ids(units):
    issued = issue(units["P01"], MAX_PER_REQUEST)
    assert len({i.token for i in issued}) == len({i.invitation.public_id for i in issued}) == 500
    assert all(i.invitation.reference_hash is None and i.invitation.channel == "direct" for i in issued)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"count": 0}, "count must be between 1 and 500"),
    ({"count": 501}, "count must be between 1 and 500"),
    ({"count": -1}, "count must be between 1 and 500"),
    ({"channel": "email"}, "channel must be one of direct, online, postal"),
    ({"procedure": "   "}, "procedure must be 1 to 64 characters"),
    ({"procedure": "x" * 65}, "procedure must be 1 to 64 characters"),
    ({"count": 2, "reference": "000.00.01.H29-240101-0001"}, "a dossier reference belongs to one invitation"),
])
def test_a_bad_request_issues_nothing(units, kwargs, message):
    arguments = {"count": 1, **kwargs}
    with pytest.raises(InvitationError, match=message):
        issue(units["P01"], arguments.pop("count"), **arguments)
    assert not db.session.new
    assert invitation_count() == 0


def test_a_token_finds_its_invitation_and_nothing_else_does(units):
    first, second = issue(units["P01"], 2)
    assert invitation_by_token(db.session, first.token) is first.invitation
    assert invitation_by_token(db.session, second.token) is second.invitation
    assert invitation_by_token(db.session, first.token[:-1]) is None
    assert invitation_by_token(db.session, first.invitation.token_hash) is None  # the hash is no token


def test_status_over_time(units):
    (one,) = issue(units["P01"])
    invitation = one.invitation
    assert status(invitation, NOW) == InvitationStatus.ISSUED
    assert status(invitation, NOW + MONTH - timedelta(microseconds=1)) == InvitationStatus.ISSUED
    assert status(invitation, NOW + MONTH) == InvitationStatus.EXPIRED
    assert claim(db.session, invitation, NOW + timedelta(days=1), DAY)
    db.session.refresh(invitation)
    assert status(invitation, NOW + timedelta(days=2)) == InvitationStatus.ANSWERED
    assert status(invitation, NOW + 2 * MONTH) == InvitationStatus.ANSWERED


def test_only_the_first_claim_wins_and_none_after_the_expiry(units):
    first, late = issue(units["P01"], 2)
    assert claim(db.session, first.invitation, NOW + timedelta(hours=1), DAY) is True
    assert claim(db.session, first.invitation, NOW + timedelta(hours=2), DAY) is False
    assert claim(db.session, late.invitation, NOW + MONTH, DAY) is False
    db.session.commit()
    db.session.refresh(first.invitation)
    db.session.refresh(late.invitation)
    assert first.invitation.answered_on == DAY  # the first claim's day, never a time
    assert late.invitation.answered_on is None


def test_a_claim_forgets_the_dossier_reference(units):
    (one,) = issue(units["P01"], reference="000.00.01.H29-240101-0001")
    assert one.invitation.reference_hash is not None
    assert claim(db.session, one.invitation, NOW, DAY)
    db.session.commit()
    db.session.refresh(one.invitation)
    assert (one.invitation.answered_on, one.invitation.reference_hash) == (DAY, None)


def test_issued_per_unit_counts_the_period_and_the_answered(units):
    p01, p02 = units["P01"], units["P02"]
    march = [issue(p01, 3, at=NOW), issue(p02, 1, at=NOW + timedelta(days=5))]
    issue(p01, 4, at=NOW - timedelta(days=20))                # February: outside the period
    issue(p02, 2, at=datetime(2026, 4, 1, tzinfo=timezone.utc))  # the end is excluded
    assert claim(db.session, march[0][0].invitation, NOW + timedelta(days=1), DAY)
    assert claim(db.session, march[0][1].invitation, NOW + timedelta(days=25), DAY)  # in April: still counts
    db.session.commit()
    counts = issued_per_unit(db.session, datetime(2026, 3, 1, tzinfo=timezone.utc),
                             datetime(2026, 4, 1, tzinfo=timezone.utc))
    assert counts == {p01.id: (3, 2), p02.id: (1, 0)}
    assert issued_per_unit(db.session, datetime(2025, 1, 1, tzinfo=timezone.utc),
                           datetime(2025, 2, 1, tzinfo=timezone.utc)) == {}
