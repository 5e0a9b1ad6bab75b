"""The survey reached by a single-use invitation, ``/s/<token>``, through the Flask test client."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from factories import (
    criteria_codes,
    form_fields,
    full_submission,
    invitations,
    sipas,
    unit_tree,
)
from pages import survey_fields
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Invitation, Response
from survey_app.services.secrets import secret_hash
from survey_app.services.units import unit_by_code

CRITERIA = criteria_codes(sipas())
UNIT_NAME = "UBND phường Bến Nghé"

ANSWERED_EN = "This survey has already been answered: each slip can be used only once."
EXPIRED_EN = "This survey link has expired and can no longer be used."
UNKNOWN_EN = "This survey link is not valid."


# ----------------------------------------------------------------------------- helpers

def issue(app, *, count: int = 1, now: datetime | None = None, valid_days: int = 30) -> list[str]:
    """Tokens of fresh invitations of unit P01 (made if needed)."""
    with app.app_context():
        unit = unit_by_code(db.session, "P01") or unit_tree(db.session, "P01", names={"P01": UNIT_NAME})["P01"]
        issued = invitations(db.session, unit, count, at=now, valid_days=valid_days)
        db.session.commit()
        return [item.token for item in issued]


def invitation_row(app, token: str) -> dict:
    with app.app_context():
        inv = db.session.scalar(select(Invitation).where(Invitation.token_hash == secret_hash(token)))
        return {"answered_on": inv.answered_on, "unit_id": inv.unit_id}


def responses(app) -> list[dict]:
    with app.app_context():
        return [
            {"id": r.id, "unit": r.unit.code, "channel": r.channel, "locale": r.locale,
             "submitted_at": r.submitted_at, "submission_key": r.submission_key,
             "answers": {a.item_code: a.value for a in r.answers}, "comment": r.comment}
            for r in db.session.scalars(select(Response).order_by(Response.id))
        ]


def response_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def answers(level: int = 4) -> dict:
    return form_fields(full_submission(sipas(), level, expectations=("MD1",), comment="Nhanh gọn."))


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


# ----------------------------------------------------------------------------- the page

def test_a_valid_invitation_serves_the_survey_in_vietnamese(app, client):
    (token,) = issue(app)
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html_lang(html) == "vi"
    assert "<title>Khảo sát sự hài lòng" in html and UNIT_NAME in html
    for code in CRITERIA:
        assert f'name="{code}"' in html
    # The form posts back to the same address, and offers the other language of the questionnaire.
    assert f'action="/s/{token}?' in html or f'action="/s/{token}"' in html
    assert f'href="/s/{token}?lang=en"' in html
    # The token in the address must not leak to other sites, nor stay in a cache.
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"


def test_answering_stores_one_invitation_response_and_marks_the_invitation(app, client):
    (token,) = issue(app)
    fields = survey_fields(client, f"/s/{token}")
    before = datetime.now(timezone.utc)
    posted = client.post(f"/s/{token}", data={**fields, **answers()})
    after = datetime.now(timezone.utc)
    assert posted.status_code == 302
    assert posted.headers["Location"] == f"/s/{token}/thanks?lang=vi"

    (stored,) = responses(app)
    assert stored["channel"] == "invitation"
    assert stored["unit"] == "P01"
    assert stored["locale"] == "vi"
    assert stored["submission_key"] == fields["submission_key"]
    assert stored["answers"] == {code: 4 for code in CRITERIA}
    assert stored["comment"] == "Nhanh gọn."
    assert before <= stored["submitted_at"] <= after

    # Answered on the day of the response, and nothing that leads to it.
    row = invitation_row(app, token)
    assert row["answered_on"] == stored["submitted_at"].astimezone(ZoneInfo(app.config["TIMEZONE"])).date()

    thanks = client.get(posted.headers["Location"])
    assert thanks.status_code == 200
    assert "Xin cảm ơn" in thanks.get_data(as_text=True)
    assert UNIT_NAME in thanks.get_data(as_text=True)


def test_english_is_kept_through_the_answer(app, client):
    (token,) = issue(app)
    fields = survey_fields(client, f"/s/{token}?lang=en")
    posted = client.post(f"/s/{token}?lang=en", data={**fields, **answers(5)})
    assert posted.headers["Location"] == f"/s/{token}/thanks?lang=en"
    assert [r["locale"] for r in responses(app)] == ["en"]
    thanks = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert html_lang(thanks) == "en" and "Thank you" in thanks


def test_a_reused_token_gets_410_and_stores_nothing(app, client):
    (token,) = issue(app)
    # Two phones opened the slip's link before either answered.
    first = survey_fields(client, f"/s/{token}")
    second = survey_fields(app.test_client(), f"/s/{token}")

    assert client.post(f"/s/{token}", data={**first, **answers(4)}).status_code == 302
    row = invitation_row(app, token)

    refused = client.post(f"/s/{token}", data={**second, **answers(1)})
    assert refused.status_code == 410
    html = refused.get_data(as_text=True)
    assert html_lang(html) == "vi" and "Xin lỗi" in html
    assert 'name="TC1"' not in html  # no form to fill in again

    assert response_count(app) == 1
    assert [r["answers"]["TC1"] for r in responses(app)] == [4]  # the first answer, untouched
    assert invitation_row(app, token) == row

    # Opening the link again says so too.
    assert client.get(f"/s/{token}").status_code == 410


def test_the_same_form_sent_twice_is_counted_once_and_thanked(app, client):
    """A double tap or a retry after a network error sends the same form (same key) again."""
    (token,) = issue(app)
    fields = survey_fields(client, f"/s/{token}")
    assert client.post(f"/s/{token}", data={**fields, **answers()}).status_code == 302
    repeated = client.post(f"/s/{token}", data={**fields, **answers()})
    assert repeated.status_code == 302
    assert repeated.headers["Location"] == f"/s/{token}/thanks?lang=vi"
    assert response_count(app) == 1


def test_the_answered_page_is_in_english_with_lang_en(app, client):
    (token,) = issue(app)
    fields = survey_fields(client, f"/s/{token}")
    assert client.post(f"/s/{token}", data={**fields, **answers()}).status_code == 302

    page = client.get(f"/s/{token}?lang=en")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert html_lang(html) == "en"
    assert ANSWERED_EN in html and "Sorry" in html

    vi = client.get(f"/s/{token}").get_data(as_text=True)
    assert html_lang(vi) == "vi" and "Xin lỗi" in vi and "Sorry" not in vi


def test_an_unknown_token_gets_404_and_stores_nothing(app, client):
    issue(app)  # a real invitation exists; another token must not reach it
    for token in ("A" * 24, "not-a-token", "x" * 200):
        page = client.get(f"/s/{token}?lang=en")
        assert page.status_code == 404, token
        assert UNKNOWN_EN in page.get_data(as_text=True)
    posted = client.post(f"/s/{'A' * 24}", data=answers())
    assert posted.status_code == 404
    assert html_lang(posted.get_data(as_text=True)) == "vi"
    assert client.get(f"/s/{'A' * 24}/thanks").status_code == 404
    assert response_count(app) == 0


def test_an_expired_invitation_gets_410_and_stores_nothing(app, client):
    (old,) = issue(app, now=datetime.now(timezone.utc) - timedelta(days=31), valid_days=30)
    page = client.get(f"/s/{old}?lang=en")
    assert page.status_code == 410
    assert EXPIRED_EN in page.get_data(as_text=True)

    # A form opened in time and sent after the expiry is refused as well.
    (token,) = issue(app)
    fields = survey_fields(client, f"/s/{token}")
    with app.app_context():
        inv = db.session.scalar(select(Invitation).where(Invitation.token_hash == secret_hash(token)))
        inv.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
    posted = client.post(f"/s/{token}?lang=en", data={**fields, **answers()})
    assert posted.status_code == 410
    assert EXPIRED_EN in posted.get_data(as_text=True)
    assert response_count(app) == 0
    assert invitation_row(app, token)["answered_on"] is None
    # Its thank-you page is no back door: it sends the citizen to the (closed) survey.
    assert client.get(f"/s/{token}/thanks").headers["Location"] == f"/s/{token}?lang=vi"


def test_an_invalid_answer_is_shown_again_and_claims_nothing(app, client):
    (token,) = issue(app)
    fields = survey_fields(client, f"/s/{token}")
    page = client.post(f"/s/{token}", data={**fields, **answers(), "TC1": "9"})
    assert page.status_code == 200
    assert 'id="error-summary"' in page.get_data(as_text=True)
    assert response_count(app) == 0
    assert invitation_row(app, token)["answered_on"] is None
    # Corrected, it is accepted.
    assert client.post(f"/s/{token}", data={**fields, **answers()}).status_code == 302
    assert response_count(app) == 1


def test_a_stale_csrf_token_keeps_the_answers_and_stores_nothing(app, client):
    (token,) = issue(app)
    fields = survey_fields(client, f"/s/{token}")
    page = client.post(f"/s/{token}", data={**fields, **answers(), "csrf_token": "stale"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="error-summary"' in html
    assert re.search(r'<input checked[^>]*name="TC1" type="radio" value="4">', html)
    assert response_count(app) == 0
    assert invitation_row(app, token)["answered_on"] is None
