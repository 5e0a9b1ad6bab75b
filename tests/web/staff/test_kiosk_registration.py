"""Registering and revoking kiosks on /staff/kiosks: the key shown once (only its hash stored),
the units offered, who may. The kiosk screen itself: tests/web/public/test_kiosk_screen.py;
its touch-screen behaviour in a real browser: tests/browser/test_kiosk_browser.py.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from html import unescape

import pytest
from accounts import add_user, csrf_from, log_in
from factories import cycled_submission, form_fields, kiosk, sipas, unit_tree
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Kiosk
from survey_app.services.units import unit_by_code

KIOSK_URL = re.compile(r"http://localhost/k/([A-Za-z0-9_-]{16})\?key=([A-Za-z0-9_-]{24})")
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
UNITS = "Q1 > P01; Q3"
NAMES = {"Q1": "UBND Quận 1", "P01": "UBND phường Bến Nghé", "Q3": "UBND Quận 3"}


@pytest.fixture
def units(app):
    """Q1 > P01, and Q3 apart."""
    with app.app_context():
        unit_tree(db.session, UNITS, NAMES)
        db.session.commit()


def make_kiosk(app, unit_code: str = "P01", name: str = "Quầy 1") -> tuple[str, str, int]:
    """A kiosk made by the service: (public_id, key, id)."""
    with app.app_context():
        made, key = kiosk(db.session, unit_by_code(db.session, unit_code), name, at=NOW)
        db.session.commit()
        return made.public_id, key, made.id


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
    # Another unit's kiosk: the same 404 as a kiosk that does not exist, so ids cannot be probed.
    assert client.post(f"/staff/kiosks/{outside[2]}/revoke", data={"csrf_token": csrf_from(html)}).status_code == 404
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
    assert client.post(f"/k/{public_id}?key={key}", data=form_fields(cycled_submission(sipas()))).status_code == 403
