"""Error pages (web/errors.py): 400, 403, 404, 405, 410, 413, 429 and 500 in the reader's language
(``?lang=en``, else Vietnamese), never Werkzeug's English; on a kiosk they lead back to its first
screen, key included, by themselves.

Each code is provoked twice: through a test-only route that aborts with it (so that every code
is checked the same way, 500 included, which needs ``PROPAGATE_EXCEPTIONS`` off), and the way a
real request meets it.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from accounts import add_user, csrf_from, log_in
from factories import form_fields, full_submission, invitations, kiosk, sipas, unit_tree
from flask import abort
from pages import survey_fields

from survey_app.extensions import db

# (English, Vietnamese) of each code's standard message, as in messages.po.
STANDARD = {
    400: ("The request could not be understood. Please go back and try again.",
          "Không hiểu được yêu cầu. Vui lòng quay lại và thử lại."),
    403: ("You may not open this page. If you think you should, ask an administrator.",
          "Bạn không có quyền mở trang này. Nếu bạn cho rằng mình cần quyền này, hãy liên hệ quản trị viên."),
    404: ("This page does not exist. Please check the address or scan the code again.",
          "Trang này không tồn tại. Vui lòng kiểm tra lại địa chỉ hoặc quét lại mã."),
    405: ("This page cannot be used this way. Please go back and try again.",
          "Không thể dùng trang này theo cách đó. Vui lòng quay lại và thử lại."),
    410: ("This page is no longer available.", "Trang này không còn sử dụng được."),
    413: ("What you sent is too large. Please shorten your comment and try again.",
          "Nội dung gửi quá dài. Vui lòng rút gọn ý kiến và gửi lại."),
    429: ("Too many requests in a short time. Please wait a minute and try again.",
          "Có quá nhiều yêu cầu trong thời gian ngắn. Vui lòng chờ một phút rồi thử lại."),
    500: ("Something went wrong on our side. Your answers were not lost if you saw the thank-you "
          "page; otherwise please try again in a moment.",
          "Hệ thống gặp sự cố. Nếu bạn đã thấy trang cảm ơn thì ý kiến của bạn đã được ghi nhận; "
          "nếu chưa, vui lòng thử lại sau ít phút."),
}
CODES = sorted(STANDARD)
SORRY = ("Sorry", "Xin lỗi")
START_AGAIN = ("Start again", "Bắt đầu lại")
LANGUAGES = [pytest.param("en", 0, id="en"), pytest.param("vi", 1, id="vi")]
# Werkzeug's own words for these codes: none may reach a reader.
WERKZEUG = ("Bad Request", "Forbidden", "Not Found", "Method Not Allowed", "Gone", "Request Entity Too Large",
            "Too Many Requests", "Internal Server Error", "The server encountered", "The requested URL")
REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+);url=([^"]+)">')


def fail_with(code: int):
    if code == 500:
        raise RuntimeError("a bug in a view")  # a real exception, not abort(500)
    abort(code)


@pytest.fixture
def failing_app(app):
    """The app with test-only routes that fail with a given code, anywhere and on a kiosk."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING would re-raise the 500 into the test
    app.add_url_rule("/test-only/error/<int:code>", "test_only_error", fail_with)
    # An endpoint of the kiosk blueprint, as a kiosk page failing would be.
    app.add_url_rule("/k/<public_id>/test-only/error/<int:code>", "kiosk.test_only_error",
                     lambda public_id, code: fail_with(code))
    return app


@pytest.fixture
def a_kiosk(app) -> tuple[str, str]:
    """A kiosk of unit P01: (public id, key)."""
    with app.app_context():
        made, key = kiosk(db.session, unit_tree(db.session, "P01")["P01"])
        db.session.commit()
        return made.public_id, key


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def assert_error_page(response, code: int, lang: str, message: str) -> str:
    assert response.status_code == code
    assert response.mimetype == "text/html"
    html = page(response)
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{SORRY[0 if lang == 'en' else 1]}</h1>" in html
    assert message in html
    text = re.sub(r"<[^>]+>", " ", html)
    for words in WERKZEUG:
        assert words not in text, words
    assert "Traceback" not in html and "RuntimeError" not in html
    return html


# ----------------------------------------------------------------------------- every code, anywhere

@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(("lang", "index"), LANGUAGES)
def test_every_error_page_is_in_the_readers_language(failing_app, code, lang, index):
    query = "?lang=en" if lang == "en" else ""
    response = failing_app.test_client().get(f"/test-only/error/{code}{query}")
    html = assert_error_page(response, code, lang, STANDARD[code][index])
    assert not REFRESH.search(html)  # only a kiosk goes back by itself


def test_an_unknown_language_gets_vietnamese(failing_app):
    response = failing_app.test_client().get("/test-only/error/404?lang=fr")
    assert_error_page(response, 404, "vi", STANDARD[404][1])


# ----------------------------------------------------------------------------- every code, on a kiosk

@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(("lang", "index"), LANGUAGES)
def test_a_kiosk_error_page_goes_back_to_the_kiosks_start(failing_app, a_kiosk, code, lang, index):
    public_id, key = a_kiosk
    response = failing_app.test_client().get(f"/k/{public_id}/test-only/error/{code}?key={key}&lang={lang}")
    html = assert_error_page(response, code, lang, STANDARD[code][index])
    # Back to the first screen, with the kiosk's key, in its default language.
    start = f"/k/{public_id}?key={key}"
    assert REFRESH.findall(html) == [("10", start)]
    assert f'<a class="kiosk-restart" href="{start}">{START_AGAIN[index]}</a>' in html
    # That address opens the kiosk again.
    assert failing_app.test_client().get(start).status_code == 200


def test_real_kiosk_errors_go_back_to_the_start(app, client, a_kiosk):
    public_id, key = a_kiosk
    start = f"/k/{public_id}?key={key}"
    # 413: a body over MAX_CONTENT_LENGTH.
    fields = survey_fields(client, start)
    too_big = client.post(start, data={**fields, "comment": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    html = assert_error_page(too_big, 413, "vi", STANDARD[413][1])
    assert REFRESH.findall(html) == [("10", start)]
    # 403 with a message of its own: a wrong key (which the way back keeps: the kiosk shows
    # the same page until staff fix its address).
    wrong_key = client.get(f"/k/{public_id}?key=not-the-key")
    html = assert_error_page(wrong_key, 403, "vi", "Máy khảo sát này chưa được đăng ký hoặc đã bị thu hồi.")
    assert REFRESH.findall(html) == [("10", f"/k/{public_id}?key=not-the-key")]


@pytest.mark.parametrize(("method", "path"), [("PUT", ""), ("POST", "/thanks")])
def test_a_405_from_routing_on_a_kiosk_address_goes_back_too(client, a_kiosk, method, path):
    public_id, key = a_kiosk
    response = client.open(f"/k/{public_id}{path}?key={key}", method=method)
    assert response.status_code == 405
    assert REFRESH.findall(page(response)) == [("10", f"/k/{public_id}?key={key}")]


# ----------------------------------------------------------------------------- real requests

@pytest.fixture
def site(app):
    """Units to survey, an answered invitation, an officer (who may not manage kiosks), staff."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["OPEN_LINK_RATE_LIMIT"] = "1 per minute"
    app.add_url_rule("/test-only/bug", "test_only_bug", lambda: fail_with(500))
    with app.app_context():
        unit = unit_tree(db.session, "P01; P02")["P01"]
        (answered,) = invitations(db.session, unit)
        answered.invitation.answered_on = answered.invitation.issued_on
        db.session.commit()
    add_user(app, "officer@example.vn", "officer", None)
    add_user(app, "staff@example.vn", "staff", "P01")
    return {"token": answered.token}


def signed_in(app, email: str):
    client = app.test_client()
    log_in(client, email)
    return client


@pytest.mark.parametrize(("lang", "index"), LANGUAGES)
def test_real_errors_are_in_the_readers_language(app, site, lang, index):
    query = f"?lang={lang}"
    client = app.test_client()
    staff = signed_in(app, "staff@example.vn")
    # 400: a poster size that does not exist.
    assert_error_page(staff.get(f"/staff/units/P01/poster.pdf{query}&size=A3"), 400, lang, STANDARD[400][index])
    # 403: an officer on the kiosk pages.
    officer = signed_in(app, "officer@example.vn")
    assert_error_page(officer.get(f"/staff/kiosks{query}"), 403, lang, STANDARD[403][index])
    # 404: a unit that does not exist.
    assert_error_page(client.get(f"/u/NOPE{query}"), 404, lang, STANDARD[404][index])
    # 405: signing out by GET.
    assert_error_page(staff.get(f"/logout{query}"), 405, lang, STANDARD[405][index])
    # 410: an invitation answered already, with its own message.
    answered = ("This survey has already been answered: each slip can be used only once.",
                "Phiếu khảo sát này đã được trả lời: mỗi phiếu chỉ dùng được một lần.")
    assert_error_page(client.get(f"/s/{site['token']}{query}"), 410, lang, answered[index])
    # 413: a body over MAX_CONTENT_LENGTH.
    fields = survey_fields(client, f"/u/P01{query}")
    too_big = {**fields, "comment": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    assert_error_page(client.post(f"/u/P01{query}", data=too_big), 413, lang, STANDARD[413][index])
    # 429: the open link's limit (1 per minute and unit here), with its own message.
    answers = {**survey_fields(client, f"/u/P02{query}"), **form_fields(full_submission(sipas(), 4))}
    assert client.post(f"/u/P02{query}", data=answers).status_code == 302
    too_many = ("Many answers were sent from your network in a short time.",
                "Có nhiều phiếu được gửi từ mạng của Ông/Bà trong thời gian ngắn.")
    assert_error_page(client.post(f"/u/P02{query}", data=answers), 429, lang, too_many[index])
    # 500: a bug.
    assert_error_page(client.get(f"/test-only/bug{query}"), 500, lang, STANDARD[500][index])


def test_a_csrf_failure_outside_a_form_is_explained_in_vietnamese(app, site):
    staff = signed_in(app, "staff@example.vn")
    response = staff.post("/logout")  # no CSRF token
    assert response.status_code == 400
    html = page(response)
    assert '<html lang="vi">' in html
    assert "CSRF" not in re.sub(r"<[^>]+>", " ", html)


def test_the_login_form_is_no_way_around_the_csrf_page(app, site):
    # The one CSRF failure a person meets often (a stale sign-in form) stays on the form, in
    # Vietnamese, instead of an error page.
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token + "x", "email": "staff@example.vn",
                                           "password": "whatever"})
    assert response.status_code == 200
    assert "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại." in page(response)
