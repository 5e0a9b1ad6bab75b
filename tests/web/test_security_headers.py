"""Strict headers on every response (pages, error pages, static files, the API, PDFs), Secure
cookies and HSTS over HTTPS (also behind TRUSTED_PROXIES), TRUSTED_HOSTS, public addresses from
PUBLIC_BASE_URL, no inline script or style anywhere, and sessions that end for good."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from accounts import add_user, csrf_from, log_in
from factories import invitations, kiosk, unit_tree

from survey_app import create_app
from survey_app.extensions import db
from survey_app.services import api_keys
from survey_app.services.accounts import set_active
from survey_app.web.security import CONTENT_SECURITY_POLICY

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
TEMPLATES = Path(__file__).resolve().parents[2] / "survey_app" / "templates"


@pytest.fixture
def site(app):
    """A unit with an open invitation, a kiosk and an API key; a signed-in-able staff member."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/test-only/bug", "test_only_bug", lambda: 1 / 0)
    with app.app_context():
        unit = unit_tree(db.session, "STP")["STP"]
        (issued,) = invitations(db.session, unit)
        made, key = kiosk(db.session, unit)
        _, api_key = api_keys.create_api_key(db.session, name="one-stop", unit=unit,
                                             now=datetime.now(timezone.utc))
        db.session.commit()
        site = {"token": issued.token, "kiosk": f"/k/{made.public_id}?key={key}", "api_key": api_key}
    site["staff"] = add_user(app, "staff@example.gov.vn", "staff", "STP")
    return site


def other_app(app, **config):
    """A second app on the same database with ``config`` (settings read at start-up)."""
    return create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                       "DATABASE_URL": app.config["DATABASE_URL"],
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **config})


def test_the_policy_is_the_one_published():
    assert CONTENT_SECURITY_POLICY == CSP


def assert_strict(response, referrer: str = "same-origin") -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == referrer
    assert "Strict-Transport-Security" not in headers  # plain HTTP here


@pytest.mark.parametrize(("path", "status"), [
    ("/", 200), ("/u/STP", 200), ("/u/STP/thanks", 200), ("/login", 200),
    ("/static/survey.css", 200), ("/static/kiosk.js", 200),
    ("/no-such-page", 404), ("/u/NOPE", 404), ("/u/ST%00P", 404), ("/u/STP?lang=%00", 400),
    ("/staff/", 302), ("/test-only/bug", 500),
    ("/api/v1/openapi.json", 200), ("/api/v1/invitations/0", 401), ("/api/v1/nothing", 404),
])
def test_every_response_has_the_strict_headers(client, site, path, status):
    with client.get(path) as response:
        assert response.status_code == status
        assert_strict(response)


def test_signed_in_pages_and_pdfs_have_them_too(app, client, site):
    log_in(client, site["staff"])
    for path in ("/staff/", "/staff/invitations", "/staff/kiosks"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)
    poster = client.get("/staff/units/STP/poster.pdf")
    assert poster.mimetype == "application/pdf"
    assert_strict(poster)
    page = client.get("/staff/invitations").get_data(as_text=True)
    slips = client.post("/staff/invitations", data={"csrf_token": csrf_from(page), "unit": "1", "count": "1"})
    assert slips.mimetype == "application/pdf"
    assert_strict(slips)


def test_token_pages_send_no_referrer_also_when_they_fail(client, site):
    for path in (f"/s/{site['token']}", f"/s/{site['token']}/qr.svg", "/s/unknown-token-0123456789",
                 site["kiosk"], "/k/nope?key=x", "/k/abc%00?key="):
        response = client.get(path)
        assert response.status_code in (200, 403, 404), path
        assert_strict(response, referrer="no-referrer")


def test_the_api_has_them_on_success_and_on_errors(client, site):
    created = client.post("/api/v1/invitations", json={"unit": "STP"},
                          headers={"Authorization": f"Bearer {site['api_key']}"})
    assert created.status_code == 201
    assert_strict(created)
    refused = client.post("/api/v1/invitations", json={"unit": "ST\x00P"},
                          headers={"Authorization": f"Bearer {site['api_key']}"})
    assert refused.status_code == 400
    assert_strict(refused)


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(client, site):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Secure" in response.headers["Set-Cookie"]
    plain = client.get("/login")
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_behind_a_trusted_proxy_forwarded_https_counts(app, site):
    proxied = other_app(app, TRUSTED_PROXIES=1)
    try:
        response = proxied.test_client().get("/login", headers={"X-Forwarded-Proto": "https",
                                                                "X-Forwarded-For": "203.0.113.9"})
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        with proxied.app_context():
            db.engine.dispose()


def test_without_trusted_proxies_a_forwarded_https_is_ignored(client, site):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


def test_trusted_hosts_refuse_any_other_host_with_a_page(app, site):
    guarded = other_app(app, TRUSTED_HOSTS=["khaosat.example.gov.vn"])
    try:
        client = guarded.test_client()
        assert client.get("/u/STP", base_url="http://khaosat.example.gov.vn").status_code == 200
        refused = client.get("/u/STP", base_url="http://evil.example")
        assert refused.status_code == 400
        assert refused.get_data(as_text=True) == "Không hiểu được yêu cầu. Vui lòng quay lại và thử lại."
        assert_strict(refused)
    finally:
        with guarded.app_context():
            db.engine.dispose()


def test_public_addresses_come_from_public_base_url_whatever_the_host(app, client, site):
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.example.gov.vn/"
    created = client.post("/api/v1/invitations", json={"unit": "STP", "count": 2},
                          headers={"Authorization": f"Bearer {site['api_key']}", "Host": "evil.example"})
    assert created.status_code == 201
    for item in created.get_json()["invitations"]:
        assert item["url"].startswith("https://khaosat.example.gov.vn/s/")
        assert item["qr"]["svg"].startswith("https://khaosat.example.gov.vn/s/")
        assert "evil.example" not in str(item)


# ----------------------------------------------------------------------------- no inline code

INLINE = re.compile(r"""\sstyle\s*=|<style[\s>]|<script(?![^>]*\ssrc=)[^>]*>""", re.I)


def test_no_served_template_has_inline_script_or_style():
    # templates/pdf/ are read by WeasyPrint on the server, never served to a browser.
    offenders = [f"{path.relative_to(TEMPLATES)}: {match.group(0)!r}"
                 for path in TEMPLATES.rglob("*.html") if "pdf" not in path.parts
                 for match in INLINE.finditer(path.read_text())]
    assert offenders == []


def test_served_pages_have_no_inline_script_or_style(client, site):
    log_in(client, site["staff"])
    for path in ("/", "/u/STP", f"/s/{site['token']}", site["kiosk"], "/staff/", "/staff/invitations",
                 "/staff/kiosks", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert not INLINE.search(html), (path, INLINE.search(html).group(0))


# ----------------------------------------------------------------------------- sessions

def signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def test_a_session_cookie_replayed_after_sign_out_signs_nobody_in(client, site):
    log_in(client, site["staff"])
    stolen = client.get_cookie("session").value
    page = client.get("/staff/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert not signed_in(client)
    client.set_cookie("session", stolen)
    assert not signed_in(client)


def test_signing_out_ends_the_users_other_sessions_too(app, site):
    office, home = app.test_client(), app.test_client()
    log_in(office, site["staff"])
    log_in(home, site["staff"])
    page = office.get("/staff/").get_data(as_text=True)
    office.post("/logout", data={"csrf_token": csrf_from(page)})
    assert not signed_in(home)
    log_in(home, site["staff"])  # signing in again works
    assert signed_in(home)


def test_a_session_cookie_replayed_after_the_account_was_disabled_and_enabled_is_dead(app, client, site):
    log_in(client, site["staff"])
    stolen = client.get_cookie("session").value
    with app.app_context():
        set_active(db.session, site["staff"], False)
        db.session.commit()
    assert not signed_in(client)
    with app.app_context():
        set_active(db.session, site["staff"], True)
        db.session.commit()
    client.set_cookie("session", stolen)
    assert not signed_in(client)
