"""Anonymity by construction: no stored value leads from an invitation to the response that
answered it, nor back, and the invitation itself holds nothing of its dossier or of who issued it
(on PostgreSQL the two rows share a transaction id: tests/services/test_xmin_anonymity.py). The
invitation records only that it was answered, and the day."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from accounts import add_user
from factories import criteria_codes, invitations, sipas, unit_tree
from pages import survey_fields
from sqlalchemy import Date, DateTime, inspect, select

from survey_app.extensions import db
from survey_app.models import Invitation, Response

# What identifies a dossier or a person at the counter.
PERSONAL = {"invitations", "users", "api_keys"}


def test_an_answered_invitation_leads_nowhere(app, client):
    with app.app_context():
        unit = unit_tree(db.session, "STP")["STP"]
        db.session.commit()
    add_user(app, "staff@example.gov.vn", "staff", "STP")
    with app.app_context():
        (issued,) = invitations(db.session, db.session.merge(unit), reference="000.00.01.H29-240101-0001")
        db.session.commit()
    url = f"/s/{issued.token}"
    fields = survey_fields(client, url)
    posted = client.post(url, data={**fields, **{c: "4" for c in criteria_codes(sipas())},
                                    "comment": "Cán bộ đòi tiền."})
    assert posted.status_code == 302

    with app.app_context():
        engine = db.engine
        schema = inspect(engine)
        # No foreign key between invitations and responses (or answers and choices), either way,
        # and nothing in a response's tables points at a person or a dossier.
        for table in ("responses", "answers", "choices"):
            assert {fk["referred_table"] for fk in schema.get_foreign_keys(table)} & PERSONAL == set(), table
        assert {fk["referred_table"] for fk in schema.get_foreign_keys("invitations")} \
            & {"responses", "answers", "choices"} == set()
        # No third table joins the two.
        for table in schema.get_table_names():
            referred = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
            assert not ({"invitations"} <= referred and referred & {"responses", "answers", "choices"}), table
        # The invitation's only record of the answer is a day, and of its issue too; its one time
        # is its expiry, a local midnight. Nothing names a person or a dossier.
        columns = {c["name"]: c["type"] for c in schema.get_columns("invitations")}
        for day in ("answered_on", "issued_on"):
            assert isinstance(columns[day], Date) and not isinstance(columns[day], DateTime)
        assert {name for name, kind in columns.items() if isinstance(kind, DateTime)} == {"expires_at"}
        assert not {"response_id", "answered_at", "submission_key", "issued_at", "reference_hash",
                    "issued_by_user_id", "issued_by_api_key_id"} & set(columns)
        assert {fk["referred_table"] for fk in schema.get_foreign_keys("invitations")} == {"units"}

        invitation = db.session.scalar(select(Invitation))
        response = db.session.scalar(select(Response))
        tz = ZoneInfo(app.config["TIMEZONE"])
        assert invitation.answered_on == response.submitted_at.astimezone(tz).date()
        assert invitation.expires_at.astimezone(tz).time() == time(0, 0)
        # Neither the response's form key nor its time is anywhere in the invitation (ids are
        # per-table counters: equal numbers are no link, and no column names the response).
        values = [getattr(invitation, c.key) for c in inspect(Invitation).column_attrs]
        assert response.submission_key not in values and response.submitted_at not in values
        assert isinstance(invitation.answered_on, date) and not isinstance(invitation.answered_on, datetime)


def test_a_reply_request_leads_to_no_response(app, client):
    """A case asked for from the thank-you page holds its unit, day, text and an encrypted
    contact, and nothing that joins it to the response just given: no key, no id, no time."""
    from survey_app.models import Case, CaseEvent

    with app.app_context():
        unit_tree(db.session, "STP")
        db.session.commit()
    url = "/u/STP"
    fields = survey_fields(client, url)
    posted = client.post(url, data={**fields, **{c: "4" for c in criteria_codes(sipas())}})
    thanks = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "/u/STP/reply" in thanks
    page = client.get("/u/STP/reply").get_data(as_text=True)
    from pages import hidden_field

    sent = client.post("/u/STP/reply", data={
        "csrf_token": hidden_field(page, "csrf_token"), "form_key": hidden_field(page, "form_key"),
        "text": "Cán bộ đòi tiền.", "phone": "0912 345 678", "consent": "y"})
    assert sent.status_code == 200, sent.get_data(as_text=True)[:300]

    with app.app_context():
        schema = inspect(db.engine)
        answers_tables = {"responses", "answers", "choices"}
        for table in ("cases", "case_events"):
            assert {fk["referred_table"] for fk in schema.get_foreign_keys(table)} & (answers_tables | {"invitations"}) == set()
        for table in answers_tables:
            assert {fk["referred_table"] for fk in schema.get_foreign_keys(table)} & {"cases", "case_events"} == set()
        for table in schema.get_table_names():
            referred = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
            assert not (referred & {"cases", "case_events"} and referred & answers_tables), table
        columns = {c["name"]: c["type"] for c in schema.get_columns("cases")}
        assert not {"response_id", "submission_key", "invitation_id", "received_at", "created_at"} & set(columns)
        assert isinstance(columns["received_on"], Date) and not isinstance(columns["received_on"], DateTime)
        # Its times are those of the unit's staff, the jobs and the rating, never the receipt's.
        assert {name for name, kind in columns.items() if isinstance(kind, DateTime)} == {
            "acknowledged_at", "first_answered_at", "answered_at", "closed_at", "escalated_at"}

        case = db.session.scalar(select(Case))
        response = db.session.scalar(select(Response))
        values = [getattr(case, c.key) for c in inspect(Case).column_attrs]
        assert response.submission_key not in values and response.submitted_at not in values
        assert all(getattr(case, name) is None for name in ("acknowledged_at", "first_answered_at", "answered_at",
                                                            "closed_at", "escalated_at"))
        (received,) = db.session.scalars(select(CaseEvent)).all()
        assert received.what == "received" and received.occurred_at is None
        # The contact is not readable in the database.
        assert "0912345678" not in case.contact_sealed and "912345678" not in case.contact_sealed
        assert case.received_on == response.submitted_at.astimezone(ZoneInfo(app.config["TIMEZONE"])).date()
