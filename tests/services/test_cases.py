"""The case lifecycle (services/cases.py) and what the jobs do to cases (services/case_upkeep.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from accounts import add_user
from factories import unit_tree
from sqlalchemy import func, select

from survey_app.domain.cases import CaseStatus, ContactKind
from survey_app.extensions import db
from survey_app.models import AuditEvent, Case, User
from survey_app.services import case_upkeep, cases

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # Monday 2 March 2026, 10:00 in Hà Nội


class RecordedEscalations:
    """What the upkeep asked to send: the messages themselves are the outbox's (tested with it)."""

    def __init__(self):
        self.sent: list[tuple[str, list[str]]] = []

    def escalation(self, case, officers):
        self.sent.append((case.number, [o.email for o in officers]))


@pytest.fixture
def rules(app):
    return cases.CaseRules.from_config(app.config)


@pytest.fixture
def tree(app):
    with app.app_context():
        unit_tree(db.session, "TINH > SO > XA1, XA2")
        db.session.commit()
    add_user(app, "staff@xa1.gov.vn", "staff", "XA1")
    add_user(app, "officer@so.gov.vn", "officer", "SO")
    add_user(app, "officer@tinh.gov.vn", "officer", "TINH")
    add_user(app, "officer@xa2.gov.vn", "officer", "XA2")


def _open(unit_code, rules, *, today=date(2026, 3, 2), kind=ContactKind.PHONE, key="form-key-0000000001"):
    from survey_app.models import Unit

    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    return cases.open_case(db.session, unit=unit, text="Chờ quá lâu.", contact_kind=kind, sealed_contact="sealed",
                           form_key=key, today=today, rules=rules)


def test_a_case_goes_from_new_to_closed_and_every_step_is_audited(app, tree, rules):
    with app.app_context():
        case, new = _open("XA1", rules)
        assert new and case.number == "PA-2026-000001" and case.status == CaseStatus.NEW and case.confirmed
        # The same form sent again is the same case.
        again, new_again = _open("XA1", rules)
        assert again.id == case.id and not new_again
        second, _ = _open("XA1", rules, key="form-key-0000000002")
        assert second.number == "PA-2026-000002"
        assert (case.acknowledge_by, case.answer_by) == (date(2026, 3, 3), date(2026, 3, 16))
        staff = db.session.scalar(select(User).where(User.email == "staff@xa1.gov.vn"))
        with pytest.raises(cases.CaseError):
            cases.answer(db.session, case, staff, text="Xin lỗi.", cause="time", now=NOW, rules=rules)
        cases.acknowledge(db.session, case, staff, NOW, rules)
        with pytest.raises(cases.CaseError):
            cases.answer(db.session, case, staff, text="  ", cause="time", now=NOW, rules=rules)
        with pytest.raises(cases.CaseError):
            cases.answer(db.session, case, staff, text="Xin lỗi.", cause="weather", now=NOW, rules=rules)
        token = cases.answer(db.session, case, staff, text="Xin lỗi.", cause="time", now=NOW + timedelta(days=1),
                             rules=rules)
        assert cases.case_for_answer(db.session, token).id == case.id
        cases.reopen(db.session, case, now=NOW + timedelta(days=2), rules=rules)
        assert case.status == CaseStatus.ACKNOWLEDGED and case.reopened
        assert cases.case_for_answer(db.session, token) is None  # the link was used
        assert case.answer_due == date(2026, 3, 18)  # ten working days from Wednesday 4 March
        assert case.answer_by == date(2026, 3, 16)  # the first answer is still judged by its own
        token = cases.answer(db.session, case, staff, text="Đã xử lý.", cause="time", now=NOW + timedelta(days=3),
                             rules=rules)
        with pytest.raises(cases.CaseError):
            cases.reopen(db.session, case, now=NOW + timedelta(days=3), rules=rules)  # once only
        cases.rate(db.session, case, resolution="yes", rating=4, now=NOW + timedelta(days=4), rules=rules)
        assert case.status == CaseStatus.CLOSED and case.rating == 4 and case.closed_at is not None
        assert cases.case_for_answer(db.session, token) is None
        assert case.first_answered_at == NOW + timedelta(days=1)
        db.session.commit()
        actions = [(e.action, e.user.email if e.user else e.operator, e.detail)
                   for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        number = {"case": case.number}
        assert actions == [("case.acknowledge", "staff@xa1.gov.vn", number), ("case.answer", "staff@xa1.gov.vn", number),
                           ("case.reopen", "citizen", number), ("case.answer", "staff@xa1.gov.vn", number),
                           ("case.close", "citizen", number)]
        assert [e.what for e in case.events] == ["received", "acknowledged", "answered", "reopened", "answered",
                                                 "rated", "closed"]
        # The receipt is a day, never a time.
        assert case.events[0].occurred_at is None and case.events[0].occurred_on == date(2026, 3, 2)


def test_an_email_case_waits_for_its_confirmation(app, tree, rules):
    with app.app_context():
        case, _ = _open("XA1", rules, kind=ContactKind.EMAIL)
        assert not case.confirmed
        assert cases.queue(db.session, {case.unit_id}, status=None, today=date(2026, 3, 2)) == []
        assert cases.case_by_number(db.session, case.number) is None
        staff = db.session.scalar(select(User).where(User.email == "staff@xa1.gov.vn"))
        with pytest.raises(cases.CaseError):
            cases.acknowledge(db.session, case, staff, NOW, rules)
        assert cases.confirm(db.session, case, date(2026, 3, 3)) and not cases.confirm(db.session, case, date(2026, 3, 3))
        assert cases.queue(db.session, {case.unit_id}, status=None, today=date(2026, 3, 2)) == [case]


def test_an_overdue_case_escalates_exactly_once_to_the_officers_above(app, tree, rules):
    with app.app_context():
        late, _ = _open("XA1", rules, key="form-key-late-00001")
        in_time, _ = _open("XA1", rules, today=date(2026, 3, 3), key="form-key-fine-00002")
        db.session.commit()
        recorded = RecordedEscalations()
        # Tuesday 3 March: the acknowledgement is due that day, not overdue yet.
        assert case_upkeep.escalate_overdue(db.session, NOW + timedelta(days=1), rules, recorded) == 0
        # Wednesday: the first is overdue, the second (due Wednesday) is not.
        assert case_upkeep.escalate_overdue(db.session, NOW + timedelta(days=2), rules, recorded) == 1
        db.session.commit()
        assert case_upkeep.escalate_overdue(db.session, NOW + timedelta(days=3), rules, recorded) == 1  # the second
        assert case_upkeep.escalate_overdue(db.session, NOW + timedelta(days=9), rules, recorded) == 0
        db.session.commit()
        assert [number for number, _ in recorded.sent] == [late.number, in_time.number]
        # The officers of XA1's parents, not of its sibling XA2.
        assert sorted(recorded.sent[0][1]) == ["officer@so.gov.vn", "officer@tinh.gov.vn"]
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "case.escalate")) == 2


def test_the_jobs_close_unrated_answers_delete_old_contacts_and_drop_unconfirmed_requests(app, tree, rules):
    with app.app_context():
        answered, _ = _open("XA1", rules, key="form-key-answered-1")
        unconfirmed, _ = _open("XA1", rules, kind=ContactKind.EMAIL, key="form-key-unconfirmed")
        staff = db.session.scalar(select(User).where(User.email == "staff@xa1.gov.vn"))
        cases.acknowledge(db.session, answered, staff, NOW, rules)
        cases.answer(db.session, answered, staff, text="Đã xử lý.", cause="fees", now=NOW, rules=rules)
        db.session.commit()
        recorded = RecordedEscalations()
        day = timedelta(days=1)
        done = case_upkeep.keep_cases(db.session, NOW + 3 * day, rules, recorded)
        assert (done.dropped, done.closed, done.contacts_deleted) == (0, 0, 0)
        done = case_upkeep.keep_cases(db.session, NOW + 4 * day, rules, recorded)  # 48 h and a day more
        assert done.dropped == 1 and db.session.get(Case, unconfirmed.id) is None
        done = case_upkeep.keep_cases(db.session, NOW + rules.close_days * day, rules, recorded)
        assert done.closed == 1 and answered.status == CaseStatus.CLOSED and answered.contact_sealed == "sealed"
        later = NOW + (rules.close_days + rules.contact_keep_days) * day
        done = case_upkeep.keep_cases(db.session, later - timedelta(minutes=1), rules, recorded)
        assert done.contacts_deleted == 0
        done = case_upkeep.keep_cases(db.session, later, rules, recorded)
        assert done.contacts_deleted == 1 and answered.contact_sealed is None
        assert answered.events[-1].what == "contact_deleted"
        db.session.commit()
