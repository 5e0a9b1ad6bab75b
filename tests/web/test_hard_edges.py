"""What a client sends never ends in a 500: double taps, stray query parameters, odd digits."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response, Unit
from survey_app.services.invitations import issue_invitations
from tests.accounts import add_user, log_in
from tests.pages import http_request

TAPS = 8


@pytest.fixture
def unit(app):
    with app.app_context():
        db.session.add(Unit(code="STP", name="Sở Tư pháp"))
        db.session.commit()
    return "STP"


def _criteria(app) -> list[str]:
    return [c.code for c in app.extensions["survey_catalog"].default.criteria]


def _request(base_url: str, method: str, path: str, cookie: str = "", body: str | None = None):
    parts = urlsplit(base_url)
    return http_request(parts.hostname, parts.port, method, path, cookie, body)


def _hidden(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html).group(1)


def test_a_double_tap_thanks_every_tap_and_stores_one_response(app, live_server, unit):
    """The same form (same cookie, same submission key) posted eight times at the same instant."""
    status, headers, html = _request(live_server, "GET", f"/u/{unit}")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    body = urlencode({"csrf_token": _hidden(html, "csrf_token"),
                      "submission_key": _hidden(html, "submission_key"),
                      "served_at": _hidden(html, "served_at"),
                      **{code: "4" for code in _criteria(app)}})
    barrier = threading.Barrier(TAPS)

    def tap(_):
        barrier.wait(timeout=60)
        return _request(live_server, "POST", f"/u/{unit}", cookie, body)

    with ThreadPoolExecutor(max_workers=TAPS) as pool:
        results = list(pool.map(tap, range(TAPS)))

    assert [status for status, _, _ in results] == [302] * TAPS, [r[2][:200] for r in results]
    assert {headers["Location"] for _, headers, _ in results} == {f"/u/{unit}/thanks?lang=vi"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


@pytest.mark.parametrize("query", ["endpoint=x", "unit_code=x", "_method=DELETE", "_anchor=top",
                                   "_external=1", "lang=xx&q=", "values=1"])
def test_stray_query_parameters_are_ignored_on_the_open_link(client, unit, query):
    page = client.get(f"/u/{unit}?{query}")
    assert page.status_code == 200
    # The page is in Vietnamese; its one language link leads to the same page in English.
    links = re.findall(r'<a[^>]*href="([^"]*lang=[^"]*)"', page.get_data(as_text=True))
    assert links == [f"/u/{unit}?lang=en"]


def test_the_language_link_keeps_the_questionnaire_and_nothing_else(client, unit):
    page = client.get(f"/u/{unit}?q=quick&_anchor=x&endpoint=y")
    assert page.status_code == 200
    links = re.findall(r'<a[^>]*href="([^"]*lang=[^"]*)"', page.get_data(as_text=True))
    assert links == [f"/u/{unit}?q=quick&amp;lang=en"]


def test_stray_query_parameters_are_ignored_on_an_invitation(app, client, unit):
    with app.app_context():
        (issued,) = issue_invitations(
            db.session, unit=db.session.scalar(select(Unit)), count=1,
            now=datetime.now(timezone.utc), valid_days=30, tz=ZoneInfo("Asia/Ho_Chi_Minh"))
        db.session.commit()
    page = client.get(f"/s/{issued.token}?token=x&_external=1")
    assert page.status_code == 200
    links = re.findall(r'<a[^>]*href="([^"]*lang=[^"]*)"', page.get_data(as_text=True))
    assert links == [f"/s/{issued.token}?lang=en"]


def test_a_unit_parameter_of_non_ascii_digits_is_ignored_on_the_slips_page(app, client, unit):
    log_in(client, add_user(app, "staff@example.gov.vn", "staff", unit))
    page = client.get("/staff/invitations?unit=%C2%B2")  # '²', which str.isdigit() accepts
    assert page.status_code == 200
    assert "Sở Tư pháp (STP)" in page.get_data(as_text=True)
