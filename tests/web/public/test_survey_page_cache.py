"""The survey page keeps the questions of a blank form (web/public/survey_page.py) and reads a
plain valid post without building a form (domain/posted_form.py): what each visitor sees and
what is stored must be exactly what the full form gives."""

from __future__ import annotations

import re

import pytest
from factories import cycled_submission, form_fields, sipas, unit_tree
from pages import survey_fields
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response

TOKENS = re.compile(r'<input id="(csrf_token|submission_key|served_at)" name="\1" type="hidden" value="[^"]*">')


@pytest.fixture
def unit(app):
    with app.app_context():
        unit_tree(db.session, "P01", {"P01": "UBND phường Bến Nghé"})
        db.session.commit()


def page(client, url: str = "/u/P01") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_visitor_gets_the_same_questions_and_tokens_of_their_own(app, unit):
    first, second = page(app.test_client()), page(app.test_client())
    assert len(TOKENS.findall(first)) == 3
    assert TOKENS.sub("", first) == TOKENS.sub("", second)
    assert TOKENS.findall(first) == TOKENS.findall(second)  # the same fields, with values of their own
    tokens = [m.group(0) for m in TOKENS.finditer(first)], [m.group(0) for m in TOKENS.finditer(second)]
    assert all(a != b for a, b in zip(*tokens, strict=True))


def test_the_kept_questions_follow_language_and_questionnaire(app, client, unit):
    vietnamese = page(client)
    english = page(client, "/u/P01?lang=en")
    quick = page(client, "/u/P01?q=quick")
    assert "Nơi ngồi chờ" in TOKENS.sub("", vietnamese) and "Nơi ngồi chờ" not in english
    assert 'name="TC1"' in english and "What should improve" in english
    assert 'name="DV1"' in quick and 'name="TC1"' not in quick
    # Served again after the others: still its own.
    assert TOKENS.sub("", page(client)) == TOKENS.sub("", vietnamese)


def test_a_form_sent_back_keeps_its_answers_and_the_next_page_is_blank(app, client, unit):
    fields = survey_fields(client, "/u/P01")
    answered = client.post("/u/P01", data={**fields, "TC1": "4", "expectations": ["MD1", "MD2", "MD3", "MD4"]})
    assert answered.status_code == 200
    html = answered.get_data(as_text=True)
    assert re.search(r'<input checked id="TC1-3" name="TC1" type="radio" value="4">', html)
    assert 'id="error-summary"' in html
    fresh = page(client)
    assert " checked " not in fresh and 'id="error-summary"' not in fresh


def test_a_form_the_shortcut_leaves_to_the_full_form_is_stored_as_before(app, client, unit):
    # TC1 posted twice: the full form takes the first value, as it always did.
    fields = survey_fields(client, "/u/P01")
    answers = form_fields(cycled_submission(sipas()))
    response = client.post("/u/P01", data={**fields, **answers, "TC1": ["2", "5"]})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        ratings = {a.item_code: a.value for a in stored.answers}
    assert ratings == {**{code: int(value) for code, value in answers.items()}, "TC1": 2}


def test_a_kept_page_is_the_page_drawn_in_full(app, client, unit):
    from survey_app.web.public.answering import requested_questionnaire, survey_language
    from survey_app.web.public.public_units import public_unit
    from survey_app.web.public.survey_page import render_survey_page

    for url in ("/u/P01", "/u/P01?lang=en", "/u/P01?q=quick&lang=en"):
        page(client, url)  # the first one keeps it
        kept = page(client, url)
        with app.test_request_context(url):
            q = requested_questionnaire()
            full = render_survey_page("survey/form.html", "survey/_form_questions.html", q=q,
                                      language=survey_language(q), honeypot=True, unit=public_unit("P01"))
        assert len(TOKENS.findall(kept)) == 3
        assert TOKENS.sub("", kept) == TOKENS.sub("", full)


def test_signed_in_staff_get_their_account_bar_not_the_kept_page(app, unit):
    from accounts import add_user, log_in

    citizen = page(app.test_client())
    staff = app.test_client()
    log_in(staff, add_user(app, "staff@example.org", "staff", "P01"))
    html = page(staff)
    assert "Signed in as" not in citizen and "staff@example.org" not in citizen
    assert "staff@example.org" in html
    assert "staff@example.org" not in page(app.test_client())  # nor does the next citizen


def test_a_renamed_unit_shows_its_new_name_once_its_kept_fields_expire(app, client, unit, monkeypatch):
    from survey_app.models import Unit
    from survey_app.web.public import public_units

    assert "UBND phường Bến Nghé" in page(client)
    with app.app_context():
        db.session.scalars(select(Unit)).one().name = "UBND phường Đa Kao"
        db.session.commit()
    assert "UBND phường Bến Nghé" in page(client)  # kept for up to a minute
    monkeypatch.setattr(public_units, "UNIT_SECONDS", 0.0)
    assert "UBND phường Đa Kao" in page(client) and "Bến Nghé" not in page(client)
