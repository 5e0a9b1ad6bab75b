"""Open links (posters, ``/u/<unit code>``): the honeypot field and the rate limit per address and unit."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from factories import cycled_submission, form_fields, sipas, unit_tree
from pages import survey_fields
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response, Unit

TOO_MANY_EN = ("Many answers were sent from your network in a short time. "
               "Please wait a minute, then go back and press Send again.")
OFFICE = "203.0.113.10"
HOME = "198.51.100.7"


class Elements(HTMLParser):
    """Every start tag with its attributes, and the chain of its open ancestors."""

    VOID = {"input", "meta", "link", "br", "img", "hr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict, list[tuple[str, dict]]]] = []
        self._stack: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.found.append((tag, a, list(self._stack)))
        if tag not in self.VOID:
            self._stack.append((tag, a))

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def inputs(self, name: str):
        return [(a, ancestors) for tag, a, ancestors in self.found
                if tag == "input" and a.get("name") == name]


@pytest.fixture
def units(app):
    with app.app_context():
        unit_tree(db.session, "P01; P02", names={"P01": "UBND phường Bến Nghé", "P02": "UBND phường Đa Kao"})
        db.session.commit()


def response_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def hidden_fields(client, url: str, address: str = OFFICE) -> dict:
    return survey_fields(client, url, environ_base={"REMOTE_ADDR": address})


def answers() -> dict:
    return form_fields(cycled_submission(sipas()))


# ----------------------------------------------------------------------------- honeypot

def test_the_honeypot_is_in_the_form_but_hidden_from_people(client, units):
    html = client.get("/u/P01").get_data(as_text=True)
    (field, ancestors), = Elements(html).inputs("website")
    assert field["type"] == "text"
    assert field["tabindex"] == "-1"
    assert field["autocomplete"] == "off"
    assert field.get("value", "") == ""
    # Inside the survey form, in a box hidden from assistive technology and moved off screen.
    assert any(tag == "form" and a.get("method") == "post" for tag, a in ancestors)
    (box,) = [a for tag, a in ancestors if "hp-field" in a.get("class", "").split()]
    assert box["aria-hidden"] == "true"
    with client.get("/static/survey.css") as stylesheet:
        css = stylesheet.get_data(as_text=True)
    rule = re.search(r"\.hp-field\s*\{([^}]*)\}", css)
    assert rule and "position: absolute" in rule.group(1) and "left: -10000px" in rule.group(1)


def test_a_form_that_fills_the_honeypot_is_thanked_and_stored_nowhere(app, client, units):
    hidden = hidden_fields(client, "/u/P01")
    response = client.post("/u/P01", data={**hidden, **answers(), "website": "http://spam.example"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/u/P01/thanks")
    assert response_count(app) == 0
    # The thank-you page it is sent to is the real one.
    assert "Xin cảm ơn" in client.get(response.headers["Location"]).get_data(as_text=True)

    # Even an invalid form is thanked, not explained: the script learns nothing.
    response = client.post("/u/P01", data={"website": "x", "TC1": "99"})
    assert response.status_code == 302 and response_count(app) == 0

    # The same answers without the honeypot filled are stored: the check is the field, not the rest.
    response = client.post("/u/P01", data={**hidden, **answers(), "website": ""})
    assert response.status_code == 302
    assert response_count(app) == 1


# ----------------------------------------------------------------------------- rate limit

def post(client, unit: str, address: str, **data):
    return client.post(f"/u/{unit}", data=data, environ_base={"REMOTE_ADDR": address})


def test_the_31st_post_in_a_minute_from_one_address_to_one_unit_is_refused(app, client, units):
    assert app.config["OPEN_LINK_RATE_LIMIT"] == "30 per minute"
    statuses = [post(client, "P01", OFFICE, website="bot").status_code for _ in range(30)]
    assert statuses == [302] * 30

    refused = post(client, "P01", OFFICE, website="bot")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Xin lỗi" in html  # the page's heading, in the citizen's language
    assert int(refused.headers["Retry-After"]) > 0

    in_english = client.post("/u/P01?lang=en", data={"website": "bot"},
                             environ_base={"REMOTE_ADDR": OFFICE})
    assert in_english.status_code == 429
    html = in_english.get_data(as_text=True)
    assert '<html lang="en">' in html and "Sorry" in html and TOO_MANY_EN in html

    # A real citizen's answers from that address are not stored while the limit lasts...
    hidden = hidden_fields(client, "/u/P01", OFFICE)
    assert post(client, "P01", OFFICE, **hidden, **answers()).status_code == 429
    assert response_count(app) == 0

    # ...but the same address may still answer for another unit, and another address for this one.
    hidden = hidden_fields(client, "/u/P02", OFFICE)
    assert post(client, "P02", OFFICE, **hidden, **answers()).status_code == 302
    hidden = hidden_fields(client, "/u/P01", HOME)
    assert post(client, "P01", HOME, **hidden, **answers()).status_code == 302
    assert response_count(app) == 2
    with app.app_context():
        assert sorted(db.session.scalars(select(Unit.code).join(Response.unit))) == ["P01", "P02"]


def test_reading_the_survey_is_never_limited(client, units):
    for _ in range(31):
        assert post(client, "P01", OFFICE, website="bot").status_code in (302, 429)
    assert post(client, "P01", OFFICE, website="bot").status_code == 429
    for _ in range(40):
        page = client.get("/u/P01", environ_base={"REMOTE_ADDR": OFFICE})
        assert page.status_code == 200
    assert 'name="website"' in page.get_data(as_text=True)


def test_the_limit_comes_from_the_configuration(app, client, units):
    app.config["OPEN_LINK_RATE_LIMIT"] = "2 per minute"
    assert [post(client, "P01", OFFICE, website="bot").status_code for _ in range(3)] == [302, 302, 429]


def test_behind_a_trusted_proxy_the_limit_counts_each_forwarded_address(app, units):
    from survey_app import create_app

    proxied = create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "DATABASE_URL",
                                                        "SQLALCHEMY_DATABASE_URI")},
                          "TRUSTED_PROXIES": 1, "OPEN_LINK_RATE_LIMIT": "2 per minute"})
    client = proxied.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def post_from(citizen: str) -> int:
        return client.post("/u/P01", data={"website": "bot"}, environ_base=proxy,
                           headers={"X-Forwarded-For": citizen}).status_code

    try:
        assert [post_from(OFFICE) for _ in range(3)] == [302, 302, 429]
        # Another citizen behind the same proxy has a count of their own.
        assert post_from(HOME) == 302
    finally:
        with proxied.app_context():  # this second app has its own connection pool
            db.engine.dispose()


def test_without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing(app, client, units):
    app.config["OPEN_LINK_RATE_LIMIT"] = "2 per minute"
    statuses = [client.post("/u/P01", data={"website": "bot"}, environ_base={"REMOTE_ADDR": OFFICE},
                            headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code for i in range(3)]
    assert statuses == [302, 302, 429]
