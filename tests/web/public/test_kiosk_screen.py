"""The kiosk screen /k/<id>?key=...: opening with the right key only, one form with every
question, submitting (channel and kiosk recorded, a double tap counted once) and the rate limit
per kiosk. Registering kiosks: tests/web/staff/test_kiosk_registration.py; the touch-screen
behaviour (screens, idle reset) in a real browser: tests/browser/test_kiosk_browser.py.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from html import unescape

import pytest
from factories import (
    criteria_codes,
    cycled_submission,
    form_fields,
    kiosk,
    sipas,
    unit_tree,
)
from pages import survey_fields
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.services.units import unit_by_code

CRITERIA = criteria_codes(sipas())
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def units(app):
    """Q1 > P01, and Q3 apart."""
    with app.app_context():
        unit_tree(db.session, "Q1 > P01; Q3", {"Q1": "UBND Quận 1", "P01": "UBND phường Bến Nghé",
                                              "Q3": "UBND Quận 3"})
        db.session.commit()


def make_kiosk(app, unit_code: str = "P01", name: str = "Quầy 1") -> tuple[str, str, int]:
    """A kiosk made by the service: (public_id, key, id)."""
    with app.app_context():
        made, key = kiosk(db.session, unit_by_code(db.session, unit_code), name, at=NOW)
        db.session.commit()
        return made.public_id, key, made.id


def hidden_fields(client, url: str, **environ) -> dict:
    return survey_fields(client, url, environ_base=environ)


def answers() -> dict:
    return form_fields(cycled_submission(sipas(), expectations=("MD1", "MD4"), profile={"gender": "male"},
                                         comment="Máy dễ dùng"))


# ----------------------------------------------------------------------------- opening

def test_a_wrong_or_missing_key_is_refused(app, client, units):
    public_id, key, _ = make_kiosk(app)
    other_id, other_key, _ = make_kiosk(app, "Q3")
    tampered = key[:-1] + ("y" if key.endswith("x") else "x")
    for url in (f"/k/{public_id}", f"/k/{public_id}?key=", f"/k/{public_id}?key={tampered}",
                f"/k/{public_id}?key={other_key}", f"/k/nope?key={key}",
                f"/k/{public_id}/thanks?key=wrong"):
        assert client.get(url).status_code == 403, url
    hidden = hidden_fields(client, f"/k/{public_id}?key={key}")
    assert client.post(f"/k/{public_id}?key=wrong", data={**hidden, **answers()}).status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == []



# ----------------------------------------------------------------------------- the kiosk

def test_the_kiosk_page_is_one_form_with_every_question_and_its_script(app, client, units):
    public_id, key, _ = make_kiosk(app)
    response = client.get(f"/k/{public_id}?key={key}")
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert html.count("<form") == 1 and html.count('class="screen"') == 7  # 5 elements + 2
    for code in CRITERIA:
        assert f'name="{code}"' in html
    assert 'data-idle-seconds="90"' in html
    assert f'data-start-url="/k/{public_id}?key={key}"' in html
    assert '<script src="/static/kiosk.js" defer></script>' in html
    assert "<script>" not in html  # no inline script...
    assert not re.search(r"<[^>]+\son[a-z]+=", html)  # nor inline handlers
    assert 'name="website"' not in html
    # The language switch keeps the kiosk's key, or switching would lock the kiosk out.
    switch = re.search(r'<a href="([^"]+)" lang="en"', html)
    assert switch and unescape(switch.group(1)) == f"/k/{public_id}?key={key}&lang=en"
    assert client.get(unescape(switch.group(1))).status_code == 200
    with client.get("/static/kiosk.js") as script:
        assert script.status_code == 200 and "data-idle-seconds" in script.get_data(as_text=True)


def test_a_kiosk_submission_records_the_channel_and_the_kiosk(app, client, units):
    public_id, key, kiosk_id = make_kiosk(app)
    url = f"/k/{public_id}?key={key}"
    hidden = hidden_fields(client, url)
    response = client.post(url, data={**hidden, **answers()})
    assert response.status_code == 302
    thanks = response.headers["Location"]
    assert thanks.startswith(f"/k/{public_id}/thanks?key={key}")

    # The same form posted again (a double tap) is counted once.
    assert client.post(url, data={**hidden, **answers()}).status_code == 302
    with app.app_context():
        (stored,) = db.session.scalars(select(Response))
        assert (stored.channel, stored.kiosk_id, stored.unit.code, stored.locale) == ("kiosk", kiosk_id, "P01", "vi")
        assert stored.submission_key == hidden["submission_key"]
        assert {a.item_code: a.value for a in stored.answers}["TC2"] == 2
        assert stored.comment == "Máy dễ dùng"

    page = client.get(thanks)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Xin cảm ơn" in html
    assert f'<meta http-equiv="refresh" content="10;url=/k/{public_id}?key={key}">' in html
    assert 'data-return-seconds="10"' in html
    # The next citizen gets a fresh form.
    assert hidden_fields(client, url)["submission_key"] != hidden["submission_key"]


def test_an_invalid_kiosk_submission_is_explained_and_stores_nothing(app, client, units):
    public_id, key, _ = make_kiosk(app)
    url = f"/k/{public_id}?key={key}&q=quick&lang=en"
    hidden = hidden_fields(client, url)
    response = client.post(url, data={**hidden, "DV2": "3"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Please answer this question." in html and 'id="q-DV1"' in html
    assert re.search(r'<input checked[^>]*name="DV2"[^>]*value="3"', html)  # the answer is kept
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == []
    response = client.post(url, data={**hidden, "DV1": "1"})
    assert response.status_code == 302
    with app.app_context():
        (stored,) = db.session.scalars(select(Response))
        assert (stored.questionnaire_id, stored.locale, stored.channel) == ("quick", "en", "kiosk")


def test_the_rate_limit_counts_per_kiosk_whatever_the_address(app, client, units):
    public_id, key, _ = make_kiosk(app)
    other_id, other_key, _ = make_kiosk(app, name="Quầy 2")
    url = f"/k/{public_id}?key={key}"
    # Twenty posts from twenty addresses (say, a kiosk whose address changes) are let through...
    for i in range(20):
        response = client.post(url, data={}, environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"})
        assert response.status_code == 200, i  # the form again: nothing was answered
    # ...the 21st, from yet another address, is refused with a page that leads back to the start.
    refused = client.post(url, data={}, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Máy khảo sát nhận quá nhiều phiếu trong thời gian ngắn." in html
    assert f'content="10;url=/k/{public_id}?key={key}"' in html

    # Another kiosk behind the very same address still works, and so does an open link.
    hidden = hidden_fields(client, f"/k/{other_id}?key={other_key}", REMOTE_ADDR="10.0.0.1")
    assert client.post(f"/k/{other_id}?key={other_key}", data={**hidden, **answers()},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 302
    assert client.post("/u/P01", data={"website": "x"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 302
    # The limited kiosk still shows its form (reading is not limited).
    assert client.get(url, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def test_posts_without_the_key_do_not_lock_the_kiosk_out(app, client, units):
    # Issue 16: 20 key-less posts to /k/<id> used up the kiosk's limit for its citizens.
    public_id, key, _ = make_kiosk(app)
    for i in range(30):
        for wrong in (f"/k/{public_id}", f"/k/{public_id}?key=guess{i}"):
            assert client.post(wrong, data={}, environ_base={"REMOTE_ADDR": f"10.1.0.{i + 1}"}).status_code == 403
    url = f"/k/{public_id}?key={key}"
    hidden = hidden_fields(client, url)
    assert client.post(url, data={**hidden, **answers()}).status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(Response)).all()) == 1
    # Posts with the key still count: 19 more are let through, the 21st is refused.
    for i in range(19):
        assert client.post(url, data={}).status_code == 200, i
    assert client.post(url, data={}).status_code == 429
