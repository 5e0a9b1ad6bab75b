"""Cases in the commands: ``flask jobs purge`` escalates an overdue case once (one e-mail to each
officer above, through the outbox), and ``flask demo`` makes cases in every state."""

from __future__ import annotations

from datetime import date, timedelta

from accounts import add_user
from case_steps import send_outbox
from factories import unit_tree
from sqlalchemy import func, select

from survey_app.domain.cases import CaseStatus, ContactKind
from survey_app.extensions import db
from survey_app.models import Case, OutboxMessage, Unit
from survey_app.services import cases


def test_an_overdue_case_is_escalated_and_emailed_exactly_once(app, runner, smtp_server):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    with app.app_context():
        unit_tree(db.session, "TINH > SO > XA1, XA2", {"XA1": "UBND xã Một"})
        db.session.commit()
    add_user(app, "officer@so.gov.vn", "officer", "SO")
    add_user(app, "officer@tinh.gov.vn", "officer", "TINH")
    add_user(app, "officer@xa2.gov.vn", "officer", "XA2")
    with app.app_context():
        rules = cases.CaseRules.from_config(app.config)
        unit = db.session.scalar(select(Unit).where(Unit.code == "XA1"))
        received = date.today() - timedelta(days=10)
        case, _ = cases.open_case(db.session, unit=unit, text="Không ai trả lời.", contact_kind=ContactKind.PHONE,
                                  sealed_contact="x", form_key="key-overdue-0000001", today=received, rules=rules)
        cases.open_case(db.session, unit=unit, text="Mới gửi hôm nay.", contact_kind=ContactKind.PHONE,
                        sealed_contact="x", form_key="key-today-000000001", today=date.today(), rules=rules)
        db.session.commit()
        number, case_id = case.number, case.id
    for _ in range(3):
        result = runner.invoke(args=["jobs", "purge"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        escalations = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "case_escalation")).all()
        assert len(escalations) == 2 and {m.about for m in escalations} == {f"case:{case_id}"}
        assert db.session.scalar(select(Case).where(Case.number == number)).escalated_at is not None
    send_outbox(app)
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == ["officer@so.gov.vn", "officer@tinh.gov.vn"]
    mail = smtp_server.received[0].message
    assert number in mail["Subject"] and "UBND xã Một" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "Không ai trả lời." in body and f"/staff/cases/{number}" in body
    runner.invoke(args=["jobs", "purge"])
    send_outbox(app)
    assert len(smtp_server.received) == 2


def test_the_first_purge_reports_what_it_did_to_cases(app, runner):
    result = runner.invoke(args=["jobs", "purge"])
    assert result.exit_code == 0 and "cases: 0 escalated, 0 closed unrated, 0 contacts deleted" in result.output


def test_the_demo_has_cases_in_every_state(app, runner):
    result = runner.invoke(args=["demo", "--responses", "300"])
    assert result.exit_code == 0, result.output
    assert "citizens' requests" in result.output
    with app.app_context():
        found = db.session.scalars(select(Case)).all()
        assert {c.status for c in found} == set(CaseStatus)
        today = date.today()
        assert any(cases.is_overdue(c, today) for c in found)
        assert any(c.escalated_at for c in found) and any(c.reopened for c in found)
        assert any(c.rating for c in found) and len({c.cause for c in found if c.cause}) >= 5
        assert db.session.scalar(select(func.count()).select_from(Case).where(Case.contact_sealed.is_(None))) == 0
