"""services.invitations: issuing (checked, only the token's hash kept, days not times, nothing of
the dossier or of who issued), finding by token, status, the one-winner claim, and the counts per
unit behind the response rate."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from factories import unit_tree
from sqlalchemy import func, select

from survey_app.domain.invitation import InvitationStatus
from survey_app.domain.periods import Period
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
from survey_app.services.secrets import secret_hash

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)
MONTH = timedelta(days=30)
DAY = date(2026, 3, 10)  # the local day of NOW in Asia/Ho_Chi_Minh (09:00)
# Valid on DAY and the 30 days after it: until local midnight starting 10 April (17:00 UTC).
EXPIRY = datetime(2026, 4, 9, 17, 0, tzinfo=timezone.utc)


@pytest.fixture
def units(app):
    with app.app_context():
        made = unit_tree(db.session, "Q1 > P01, P02")
        db.session.commit()
        yield made
        db.session.rollback()


def issue(unit, count: int = 1, *, at: datetime = NOW, **kwargs):
    return issue_invitations(db.session, unit=unit, count=count, now=at, valid_days=30,
                             tz=ZoneInfo("Asia/Ho_Chi_Minh"), **kwargs)


def invitation_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation))


def test_issued_invitations_keep_the_token_s_hash_and_days_and_nothing_of_the_dossier(units):
    (one,) = issue(units["P01"], procedure=" 1.004227 ", reference=" 000.00.01.H29-240101-0001 ",
                   channel="online")
    db.session.commit()
    row = one.invitation
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", one.token)
    assert row.token_hash == secret_hash(one.token) and one.token not in (row.public_id, row.token_hash)
    assert row.procedure_code == "1.004227"
    # The day of issue, and an expiry at the local midnight after its last valid day (10 April).
    assert (row.channel, row.issued_on, row.expires_at) == ("online", DAY, EXPIRY)
    assert row.answered_on is None
    assert re.fullmatch(r"[0-9a-f]{32}", row.public_id)
    # The reference (checked) is nowhere in the row, nor the time of issue.
    stored = db.session.execute(select(Invitation.__table__).where(Invitation.id == row.id)).one()
    assert "reference_hash" not in stored._fields and "issued_at" not in stored._fields
    assert not any("000.00.01" in str(value) for value in stored)
    assert NOW not in stored


def test_a_batch_has_distinct_tokens_and_public_ids(units):
    issued = issue(units["P01"], MAX_PER_REQUEST)
    assert len({i.token for i in issued}) == len({i.invitation.public_id for i in issued}) == 500
    assert all(i.invitation.channel == "direct" and i.invitation.issued_on == DAY for i in issued)


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
    assert status(invitation, EXPIRY - timedelta(microseconds=1)) == InvitationStatus.ISSUED
    assert status(invitation, EXPIRY) == InvitationStatus.EXPIRED
    assert claim(db.session, invitation, NOW + timedelta(days=1), DAY)
    db.session.refresh(invitation)
    assert status(invitation, NOW + timedelta(days=2)) == InvitationStatus.ANSWERED
    assert status(invitation, NOW + 2 * MONTH) == InvitationStatus.ANSWERED


def test_only_the_first_claim_wins_and_none_after_the_expiry(units):
    first, late = issue(units["P01"], 2)
    assert claim(db.session, first.invitation, NOW + timedelta(hours=1), DAY) is True
    assert claim(db.session, first.invitation, NOW + timedelta(hours=2), DAY) is False
    assert claim(db.session, late.invitation, EXPIRY, DAY) is False
    db.session.commit()
    db.session.refresh(first.invitation)
    db.session.refresh(late.invitation)
    assert first.invitation.answered_on == DAY  # the first claim's day, never a time
    assert late.invitation.answered_on is None


def test_a_claim_writes_the_day_and_nothing_else(units):
    (one,) = issue(units["P01"], reference="000.00.01.H29-240101-0001")
    before = db.session.execute(select(Invitation.__table__)).one()._asdict()
    assert claim(db.session, one.invitation, NOW, DAY)
    db.session.commit()
    after = db.session.execute(select(Invitation.__table__)).one()._asdict()
    assert after == {**before, "answered_on": DAY}


def test_issued_per_unit_counts_the_period_and_the_answered(units):
    p01, p02 = units["P01"], units["P02"]
    march = [issue(p01, 3, at=NOW), issue(p02, 1, at=NOW + timedelta(days=5))]
    issue(p01, 4, at=NOW - timedelta(days=20))                # February: outside the period
    issue(p02, 2, at=datetime(2026, 4, 1, tzinfo=timezone.utc))  # 1 April (local): after the period
    assert claim(db.session, march[0][0].invitation, NOW + timedelta(days=1), DAY)
    assert claim(db.session, march[0][1].invitation, NOW + timedelta(days=25), DAY)  # in April: still counts
    db.session.commit()
    counts = issued_per_unit(db.session, Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert counts == {p01.id: (3, 2), p02.id: (1, 0)}
    assert issued_per_unit(db.session, Period(date(2025, 1, 1), date(2025, 1, 31))) == {}
