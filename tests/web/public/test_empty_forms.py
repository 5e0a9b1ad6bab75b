"""Nothing counts that says nothing: a form that answers nothing is refused on every way in
(open link, invitation, kiosk) with a message in the citizen's language, stores nothing, leaves
an invitation unanswered, and so cannot pad a unit's n or win it a rank."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from factories import invitations, kiosk, unit_tree
from pages import survey_fields
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Invitation
from survey_app.services.units import unit_by_code

NOTHING_VI = "Bạn chưa trả lời câu hỏi nào."
NOTHING_EN = "You have not answered any question."


def every_table(app) -> dict[str, int]:
    """The number of rows of every table of the schema."""
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


@pytest.fixture
def units(app):
    with app.app_context():
        unit_tree(db.session, "SO > SXD, STP", {"SO": "Các sở", "SXD": "Sở Xây dựng", "STP": "Sở Tư pháp"})
        db.session.commit()
    return app


def refused(response, message: str = NOTHING_VI) -> None:
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and message in html


def test_three_empty_forms_on_an_open_link_leave_the_database_as_it_was(units, client):
    before = every_table(units)
    for _ in range(3):
        refused(client.post("/u/SXD", data=survey_fields(client, "/u/SXD")))
    # Blank-looking answers are still nothing: an empty comment, spaces, no choice at all.
    refused(client.post("/u/SXD", data={**survey_fields(client, "/u/SXD"), "comment": "  \r\n "}))
    refused(client.post("/u/SXD?lang=en", data=survey_fields(client, "/u/SXD?lang=en")), NOTHING_EN)
    assert every_table(units) == before
    # One answer, of any kind, is enough.
    for answer in ({"TC1": "4"}, {"TC1": "0"}, {"gender": "female"}, {"expectations": "MD1"}, {"comment": "Tốt"}):
        assert client.post("/u/SXD", data={**survey_fields(client, "/u/SXD"), **answer}).status_code == 302
    assert every_table(units)["responses"] == before["responses"] + 5


def test_an_empty_form_leaves_an_invitation_unanswered(units, client):
    with units.app_context():
        (issued,) = invitations(db.session, unit_by_code(db.session, "SXD"))
        db.session.commit()
    url = f"/s/{issued.token}"
    before = every_table(units)
    refused(client.post(url, data=survey_fields(client, url)))
    assert every_table(units) == before
    with units.app_context():
        assert db.session.scalar(select(Invitation.answered_on)) is None
    # The citizen can still answer it.
    assert client.post(url, data={**survey_fields(client, url), "TC1": "5"}).status_code == 302
    with units.app_context():
        assert db.session.scalar(select(Invitation.answered_on)) is not None


def test_an_empty_form_on_a_kiosk_is_refused(units, client):
    with units.app_context():
        made, key = kiosk(db.session, unit_by_code(db.session, "SXD"), "Quầy 1",
                          at=datetime(2026, 11, 25, tzinfo=timezone.utc))
        db.session.commit()
        url = f"/k/{made.public_id}?key={key}"
    before = every_table(units)
    refused(client.post(url, data=survey_fields(client, url)))
    assert every_table(units) == before


def test_one_answer_and_29_empty_forms_are_one_respondent_and_no_rank(units, client, runner):
    units.config["MIN_RANKED_RESPONSES"] = 30
    assert client.post("/u/SXD", data={**survey_fields(client, "/u/SXD"), "TC1": "5"}).status_code == 302
    for _ in range(29):
        client.post("/u/SXD", data=survey_fields(client, "/u/SXD"))
    today = datetime.now(timezone.utc).date().isoformat()
    result = runner.invoke(args=["scores", "--from", "2000-01-01", "--to", "2099-12-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    sxd = next(u for u in json.loads(result.output)["units"] if u["unit"] == "SXD")
    assert (sxd["n"], sxd["rank"]) == (1, None), today
