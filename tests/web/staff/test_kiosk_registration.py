"""Kiosks through the test client: registering (key shown once, hash stored), opening, revoking,
submitting (channel and kiosk recorded) and the rate limit per kiosk. The touch-screen
behaviour (screens, idle reset) is tested in a real browser: tests/browser/test_kiosk_browser.py.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from html import unescape

import pytest
from accounts import add_user, csrf_from, log_in
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Kiosk, Response, Unit
from survey_app.services.kiosks import (
    kiosk_for,
    kiosks_of_unit,
    register_kiosk,
    revoke_kiosk,
)

KIOSK_URL = re.compile(r"http://localhost/k/([A-Za-z0-9_-]{16})\?key=([A-Za-z0-9_-]{24})")
CRITERIA = (
    "TC1 TC2 TC3 TC4 TT1 TT2 TT3 TT4 TT5 CC1 CC2 CC3 CC4 CC5 CC6 KQ1 KQ2 KQ3 PA1 PA2 PA3 PA4"
).split()
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def units(app):
    """Q1 > P01, and Q3 apart."""
    with app.app_context():
        q1 = Unit(code="Q1", name="UBND Quận 1")
        db.session.add_all([q1, Unit(code="P01", name="UBND phường Bến Nghé", parent=q1),
                            Unit(code="Q3", name="UBND Quận 3")])
        db.session.commit()


def make_kiosk(app, unit_code: str = "P01", name: str = "Quầy 1") -> tuple[str, str, int]:
    """A kiosk made by the service: (public_id, key, id)."""
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        kiosk, key = register_kiosk(db.session, unit=unit, name=name, now=NOW)
        db.session.commit()
        return kiosk.public_id, key, kiosk.id


def hidden_fields(client, url: str, **environ) -> dict:
    page = client.get(url, environ_base=environ)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    return {name: re.search(rf'name="{name}"[^>]*value="([^"]+)"', html).group(1)
            for name in ("csrf_token", "submission_key")}


def answers() -> dict:
    return {**{code: str(1 + i % 5) for i, code in enumerate(CRITERIA)},
            "expectations": ["MD1", "MD4"], "gender": "male", "comment": "Máy dễ dùng"}


# ----------------------------------------------------------------------------- the service

def test_the_service_stores_only_a_hash_and_opens_with_the_right_key_only(app, units):
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "P01"))
        kiosk, key = register_kiosk(db.session, unit=unit, name="  Quầy   1 ", now=NOW)
        other, other_key = register_kiosk(db.session, unit=unit, name="Quầy 2", now=NOW)
        db.session.commit()
        assert len(key) >= 24 and key != other_key
        assert kiosk.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in (kiosk.public_id, kiosk.name, kiosk.key_hash)
        assert kiosk.name == "Quầy 1"

        assert kiosk_for(db.session, kiosk.public_id, key) is kiosk
        assert kiosk_for(db.session, kiosk.public_id, other_key) is None  # another kiosk's key
        assert kiosk_for(db.session, kiosk.public_id, key[:-1]) is None
        assert kiosk_for(db.session, kiosk.public_id, "") is None
        assert kiosk_for(db.session, kiosk.public_id, None) is None
        assert kiosk_for(db.session, "unknown", key) is None

        revoke_kiosk(db.session, kiosk, now=NOW)
        assert kiosk_for(db.session, kiosk.public_id, key) is None
        assert kiosk_for(db.session, other.public_id, other_key) is other
        assert [k.name for k in kiosks_of_unit(db.session, unit)] == ["Quầy 2", "Quầy 1"]


# ----------------------------------------------------------------------------- staff pages

def test_registering_shows_the_kiosk_address_with_its_key_once(app, client, units):
    log_in(client, add_user(app, "lan@q1.example.vn", "staff", "Q1"))
    page = client.get("/staff/kiosks?unit=P01")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Only the units in scope can be chosen; the one asked for is preselected.
    options = re.findall(r'<option([^>]*)value="([^"]+)"', html)
    assert sorted(value for _, value in options) == ["P01", "Q1"]
    assert [value for attrs, value in options if "selected" in attrs] == ["P01"]

    response = client.post("/staff/kiosks", data={
        "csrf_token": csrf_from(html), "unit": "P01", "name": "Quầy 3, tầng trệt"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = unescape(response.get_data(as_text=True))
    (public_id, key), = set(KIOSK_URL.findall(shown))
    assert "<svg" in shown  # a QR code of the address, to open it on the kiosk's camera

    with app.app_context():
        (kiosk,) = db.session.scalars(select(Kiosk))
        assert (kiosk.public_id, kiosk.name, kiosk.unit.code) == (public_id, "Quầy 3, tầng trệt", "P01")
        assert kiosk.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert kiosk.revoked_at is None
    # The address it gave opens the kiosk.
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/staff/kiosks").get_data(as_text=True))})
    assert client.get(f"/k/{public_id}?key={key}").status_code == 200

    # The list shows the kiosk, never its key again.
    log_in(client, "lan@q1.example.vn")
    listing = client.get("/staff/kiosks").get_data(as_text=True)
    assert "Quầy 3, tầng trệt" in listing and public_id in listing
    assert key not in listing


def test_staff_register_and_see_kiosks_of_their_units_only(app, client, units):
    outside = make_kiosk(app, "Q3", "Quầy Quận 3")
    log_in(client, add_user(app, "hoa@p01.example.vn", "staff", "P01"))
    html = client.get("/staff/kiosks").get_data(as_text=True)
    assert "Quầy Quận 3" not in html and outside[0] not in html

    for unit in ("Q3", "Q1"):  # another branch, and the parent
        response = client.post("/staff/kiosks", data={
            "csrf_token": csrf_from(html), "unit": unit, "name": "Quầy lạ"})
        assert not KIOSK_URL.search(response.get_data(as_text=True))
    with app.app_context():
        assert [k.name for k in db.session.scalars(select(Kiosk))] == ["Quầy Quận 3"]

    # Nor may they revoke another unit's kiosk.
    assert client.post(f"/staff/kiosks/{outside[2]}/revoke", data={"csrf_token": csrf_from(html)}).status_code == 403
    with app.app_context():
        assert db.session.get(Kiosk, outside[2]).revoked_at is None


def test_officers_do_not_manage_kiosks_and_signed_out_visitors_sign_in_first(app, client, units):
    response = client.get("/staff/kiosks")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    log_in(client, add_user(app, "officer@example.vn", "officer", None))
    assert client.get("/staff/kiosks").status_code == 403


def test_a_revoked_kiosk_opens_no_more(app, client, units):
    public_id, key, kiosk_id = make_kiosk(app)
    assert client.get(f"/k/{public_id}?key={key}").status_code == 200
    log_in(client, add_user(app, "lan@q1.example.vn", "staff", "Q1"))
    html = client.get("/staff/kiosks").get_data(as_text=True)
    assert f'/staff/kiosks/{kiosk_id}/revoke' in html
    response = client.post(f"/staff/kiosks/{kiosk_id}/revoke", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/kiosks"
    listing = client.get("/staff/kiosks").get_data(as_text=True)
    assert "đã bị thu hồi" in listing and f'/staff/kiosks/{kiosk_id}/revoke' not in listing

    refused = client.get(f"/k/{public_id}?key={key}")
    assert refused.status_code == 403
    assert "Máy khảo sát này chưa được đăng ký hoặc đã bị thu hồi." in refused.get_data(as_text=True)
    assert client.post(f"/k/{public_id}?key={key}", data=answers()).status_code == 403


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
