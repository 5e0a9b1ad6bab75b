"""Signing in and out: the form, its checks, the session, the account header.

What the staff start page lists: tests/web/staff/test_staff_home.py; who may see which unit:
tests/services/test_accounts.py and tests/domain/test_permissions.py.
"""

from __future__ import annotations

import re

import pytest
from accounts import PASSWORD, add_user, csrf_from
from factories import unit_tree

from survey_app.extensions import db

WRONG = "Wrong e-mail or password, or the account is disabled."
EXPIRED = "Your session expired. Please sign in again."
TOO_MANY = "Too many sign-in attempts from your address. Please wait a minute and try again."
EN = {"lang": "en"}


@pytest.fixture
def units(app):
    with app.app_context():
        unit_tree(db.session, "HCM > Q1 > P-BN, P-DK; HCM > Q3 > P-VTS")
        db.session.commit()


@pytest.fixture
def staff_q1(app, units) -> str:
    add_user(app, "lan@q1.example.vn", "staff", "Q1")
    return "lan@q1.example.vn"


def login(client, email: str, password: str = PASSWORD, query: dict | None = None, **kwargs):
    """Sign in through the form, in English (the UI defaults to Vietnamese)."""
    query = {**EN, **(query or {})}
    page = client.get("/login", query_string=query, **kwargs).get_data(as_text=True)
    return client.post("/login", query_string=query, **kwargs,
                       data={"csrf_token": csrf_from(page), "email": email, "password": password})


def signed_in(client, **kwargs) -> bool:
    """Whether the client's session opens the staff page (rather than a redirect to sign in)."""
    response = client.get("/staff/", **kwargs)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def alerts(html: str) -> list[str]:
    return re.findall(r'<p class="error" role="alert">([^<]*)</p>', html)


# ----------------------------------------------------------------------------- signing in

def test_sign_in_goes_to_the_staff_page(client, staff_q1):
    assert not signed_in(client)
    response = login(client, staff_q1)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert signed_in(client)


def test_the_email_is_matched_whatever_its_case(client, staff_q1):
    response = login(client, "  LAN@Q1.example.VN ")
    assert response.status_code == 302
    assert signed_in(client)


def test_wrong_password_and_unknown_email_look_the_same(client, staff_q1):
    wrong_password = login(client, staff_q1, "not the password")
    unknown_email = login(client, "nobody@q1.example.vn")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert alerts(wrong_password.get_data(as_text=True)) == [WRONG]
    assert alerts(unknown_email.get_data(as_text=True)) == [WRONG]
    assert not signed_in(client)


def test_a_disabled_account_cannot_sign_in(app, client, staff_q1, runner):
    assert runner.invoke(args=["users", "disable", "--email", staff_q1]).exit_code == 0
    response = login(client, staff_q1)
    assert response.status_code == 200
    assert alerts(response.get_data(as_text=True)) == [WRONG]
    assert not signed_in(client)


def test_an_open_session_ends_when_its_account_is_disabled(app, client, staff_q1, runner):
    login(client, staff_q1)
    assert signed_in(client)
    assert runner.invoke(args=["users", "disable", "--email", staff_q1]).exit_code == 0
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_re_enabling_an_account_does_not_revive_its_old_sessions(app, client, staff_q1, runner):
    login(client, staff_q1)
    assert signed_in(client)
    assert runner.invoke(args=["users", "disable", "--email", staff_q1]).exit_code == 0
    assert runner.invoke(args=["users", "enable", "--email", staff_q1]).exit_code == 0
    assert not signed_in(client)
    # The account itself works again: a new sign-in opens a new session.
    assert login(client, staff_q1).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_sign_in_requires_the_csrf_token(client, staff_q1, token):
    client.get("/login", query_string=EN)
    data = {"email": staff_q1, "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", query_string=EN, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert alerts(html) == [EXPIRED]
    assert 'name="password"' in html  # the form again, ready for another try
    assert not signed_in(client)


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
])
def test_next_never_leaves_the_site(client, staff_q1, target):
    response = login(client, staff_q1, query={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_a_next_with_a_control_character_is_refused_before_anything_else(client):
    # Browsers drop tabs from URLs ("/\t/evil.example/" would become "//evil.example/"): such an
    # address is refused as every query with a control character is, the form never shown.
    assert client.get("/login", query_string={"next": "/\t/evil.example/"}).status_code == 400


def test_next_to_a_local_page_is_followed(client, staff_q1):
    response = login(client, staff_q1, query={"next": "/u/Q1?lang=en"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/u/Q1?lang=en"


def test_the_staff_page_sends_a_signed_out_visitor_to_sign_in_and_back(client, staff_q1):
    response = client.get("/staff/", query_string=EN)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fstaff%2F%3Flang%3Den"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please sign in to see this page." in page
    response = login(client, staff_q1, query={"next": "/staff/?lang=en"})
    assert response.headers["Location"] == "/staff/?lang=en"


def test_a_session_cookie_taken_to_another_browser_is_refused(client, staff_q1):
    login(client, staff_q1, headers={"User-Agent": "Firefox at the counter"})
    assert signed_in(client, headers={"User-Agent": "Firefox at the counter"})
    assert not signed_in(client, headers={"User-Agent": "Someone else's browser"})
    # Strong protection dropped the login from the session altogether.
    assert not signed_in(client, headers={"User-Agent": "Firefox at the counter"})


def test_sign_in_attempts_are_limited_per_address(client, staff_q1):
    for _ in range(10):
        response = login(client, staff_q1, "guess", environ_base={"REMOTE_ADDR": "203.0.113.7"})
        assert response.status_code == 200
        assert alerts(response.get_data(as_text=True)) == [WRONG]
    # The 11th try in the minute is refused, even with the right password...
    response = login(client, staff_q1, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)
    assert not signed_in(client)
    # ...while the page itself still shows, and another address may still sign in.
    assert client.get("/login", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200
    response = login(client, staff_q1, environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert response.status_code == 302
    assert signed_in(client, environ_base={"REMOTE_ADDR": "198.51.100.2"})


# ---------------------------------------------------------------------------- signing out

def test_sign_out_is_post_only_and_needs_the_csrf_token(client, staff_q1):
    login(client, staff_q1)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert signed_in(client)

    page = client.get("/staff/", query_string=EN).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/logout">(.*?)</form>', page, re.S)
    assert form, "no sign-out form on the staff page"
    assert "Sign out" in form.group(1)
    response = client.post("/logout", data={"csrf_token": csrf_from(form.group(1))})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not signed_in(client)


def test_citizens_see_no_account_header(client, staff_q1):
    for path in ("/", "/u/Q1", "/login"):
        html = client.get(path, query_string=EN).get_data(as_text=True)
        assert "account-bar" not in html and "/logout" not in html, path
        assert "Signed in as" not in html, path


def test_signed_in_header_says_who_is_signed_in(client, staff_q1):
    login(client, staff_q1)
    for path in ("/staff/", "/"):
        html = client.get(path, query_string=EN).get_data(as_text=True)
        assert f"Signed in as {staff_q1}" in html, path
        assert 'action="/logout"' in html, path


def test_a_csrf_token_from_before_signing_in_does_not_work_after(app, client):
    """Issue 16: the session, and its CSRF token, are new at sign-in (no fixation)."""
    from accounts import PASSWORD, add_user, csrf_from

    email = add_user(app, "rotate@example.gov.vn", "admin", None)
    before = csrf_from(client.get("/login").get_data(as_text=True))
    cookie_before = client.get_cookie("session").value
    signed_in = client.post("/login", data={"csrf_token": before, "email": email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get_cookie("session").value != cookie_before
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    assert client.get("/staff/").status_code == 200          # still signed in
    after = csrf_from(client.get("/").get_data(as_text=True))
    assert after != before
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
