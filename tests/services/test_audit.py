"""services.audit: events recorded in the caller's transaction, and read back newest first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from factories import unit_tree
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from survey_app.domain.audit import AuditAction, AuditDetailError
from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.services.accounts import create_user
from survey_app.services.audit import actor_name, events, every_event, record

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def setting(app):
    with app.app_context():
        units = unit_tree(db.session, "HCM > Q1; HCM > Q3")
        admin = create_user(db.session, email="admin@hcm.gov.vn", password="x" * 10, role="admin",
                            unit=None, now=NOW)
        db.session.commit()
        yield units, admin
        db.session.rollback()


def count_events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_an_event_is_flushed_not_committed(setting):
    units, admin = setting
    event = record(db.session, admin, AuditAction.KIOSK_REGISTER, units["Q1"], now=NOW, id=7, name="Quầy 1")
    assert event.id is not None
    assert (event.user_id, event.operator, event.unit_id, event.action, event.detail) == (
        admin.id, None, units["Q1"].id, "kiosk.register", {"id": 7, "name": "Quầy 1"})
    db.session.rollback()  # the deed failed: its event goes with it
    assert count_events() == 0


def test_an_operator_and_an_account_are_named_in_the_log(setting):
    _, admin = setting
    record(db.session, "cli:root", AuditAction.UNITS_IMPORT, now=NOW, created=2, updated=0)
    record(db.session, admin, AuditAction.SIGN_IN, now=NOW + timedelta(seconds=1))
    db.session.commit()
    found = list(every_event(db.session))
    assert [(actor_name(e), e.action, e.unit, e.detail) for e in found] == [
        ("admin@hcm.gov.vn", "user.sign_in", None, {}),
        ("cli:root", "units.import", None, {"created": 2, "updated": 0})]
    assert found[0].occurred_at == NOW + timedelta(seconds=1)


def test_a_bad_detail_records_nothing(setting):
    units, admin = setting
    with pytest.raises(AuditDetailError):
        record(db.session, admin, AuditAction.APIKEY_CREATE, units["Q1"], key="secret")
    with pytest.raises(ValueError):
        record(db.session, admin, "something.else")
    assert count_events() == 0


def test_the_database_wants_exactly_one_actor(setting):
    db.session.add(AuditEvent(occurred_at=NOW, action="user.sign_in", detail={}))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_events_newest_first_since_a_moment_by_action_and_unit_one_page_at_a_time(setting):
    units, admin = setting
    for minute, (action, unit) in enumerate([
        (AuditAction.SLIPS_PRINT, units["Q1"]), (AuditAction.SLIPS_PRINT, units["Q3"]),
        (AuditAction.POSTER_PRINT, units["Q1"]), (AuditAction.SLIPS_PRINT, units["Q1"]),
        (AuditAction.SIGN_IN, None),
    ]):
        record(db.session, admin, action, unit, now=NOW + timedelta(minutes=minute), count=minute)
    db.session.commit()

    def counts(page):
        return [e.detail["count"] for e in page.events]

    assert counts(events(db.session)) == [4, 3, 2, 1, 0]
    assert [e.detail["count"] for e in every_event(db.session, action="slips.print")] == [3, 1, 0]
    assert [e.detail["count"] for e in every_event(db.session, since=NOW + timedelta(minutes=3))] == [4, 3]
    assert counts(events(db.session, since=NOW + timedelta(minutes=2))) == [4, 3, 2]
    assert counts(events(db.session, action="slips.print")) == [3, 1, 0]
    assert counts(events(db.session, unit_ids={units["Q1"].id})) == [3, 2, 0]
    first, last = events(db.session, limit=3), events(db.session, limit=3, offset=3)
    assert (counts(first), first.has_more) == ([4, 3, 2], True)
    assert (counts(last), last.has_more) == ([1, 0], False)
    assert events(db.session, limit=5).has_more is False
