"""The citizen's survey page, ``/u/<unit code>``, through the Flask test client."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from factories import criteria_codes, cycled_submission, form_fields, sipas, unit_tree
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response

CRITERIA = criteria_codes(sipas())
SCALE_VALUES = ["1", "2", "3", "4", "5", "0"]  # five levels, then "no opinion"
EXPECTATION_OPTIONS = ["MD1", "MD2", "MD3", "MD4", "MD5", "MD6"]
PROFILE = {
    "gender": ["male", "female", "other"],
    "age_group": ["under25", "age25_34", "age35_49", "age50_64", "age65plus"],
    "ethnicity": ["kinh", "minority"],
    "education": ["primary", "lower_secondary", "upper_secondary", "vocational", "university",
                  "postgraduate"],
    "occupation": ["public_employee", "business", "worker", "farmer", "student", "retired", "other"],
    "respondent_type": ["individual", "organisation"],
    "submission_channel": ["in_person", "postal", "online"],
}

REQUIRED_VI = "Vui lòng trả lời câu hỏi này."
SESSION_EXPIRED_VI = "Phiên làm việc đã hết hạn"
NOT_OFFERED_VI = "Vui lòng chọn một trong các phương án được liệt kê."


# ----------------------------------------------------------------------------- helpers

class Page(HTMLParser):
    """What a test needs from a rendered page: fieldsets with legends, inputs, textareas."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.title = ""
        self.fieldsets: list[dict] = []
        self.inputs: list[dict] = []
        self.textareas: dict[str, dict] = {}
        self.buttons: list[str] = []
        self.error_summary = ""
        self._open: list[str] = []  # what we are collecting text for
        self._fieldset: dict | None = None
        self._textarea: dict | None = None
        self._summary_depth = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "fieldset":
            self._fieldset = {"id": a.get("id"), "legend": "", "inputs": [], "errors": []}
            self.fieldsets.append(self._fieldset)
        elif tag == "input":
            self.inputs.append(a)
            if self._fieldset is not None:
                self._fieldset["inputs"].append(a)
        elif tag == "textarea":
            self._textarea = {**a, "text": ""}
            self.textareas[a["name"]] = self._textarea
        elif tag == "div" and a.get("id") == "error-summary":
            self._summary_depth = 1
        elif tag == "div" and self._summary_depth:
            self._summary_depth += 1
        if tag == "button":
            self.buttons.append("")
        if tag in ("title", "legend", "button") or (tag == "p" and "error" in a.get("class", "")):
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self._fieldset = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "div" and self._summary_depth:
            self._summary_depth -= 1
        if self._open and self._open[-1] == tag:
            self._open.pop()
            if tag == "button":
                self.buttons[-1] = self.buttons[-1].strip()
        if tag == "legend" and self._fieldset is not None:
            self._fieldset["legend"] = " ".join(self._fieldset["legend"].split())

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data
        if self._summary_depth:
            self.error_summary += data
        if not self._open:
            return
        tag = self._open[-1]
        if tag == "title":
            self.title += data
        elif tag == "legend" and self._fieldset is not None:
            self._fieldset["legend"] += data
        elif tag == "button":
            self.buttons[-1] += data
        elif tag == "p" and self._fieldset is not None:
            self._fieldset["errors"].append(data.strip())

    def fieldset(self, code: str) -> dict:
        matches = [f for f in self.fieldsets if f["id"] == f"q-{code}"]
        assert len(matches) == 1, f"expected one fieldset q-{code}, found {len(matches)}"
        return matches[0]

    def checked(self, name: str) -> list[str]:
        return [i["value"] for i in self.inputs if i.get("name") == name and "checked" in i]

    def value(self, name: str) -> str:
        (found,) = [i["value"] for i in self.inputs if i.get("name") == name]
        return found


def add_unit(app, code: str = "P01", name: str = "UBND phường Bến Nghé") -> None:
    with app.app_context():
        unit_tree(db.session, code, names={code: name})
        db.session.commit()


def stored(app) -> list[dict]:
    """Every stored response, as plain values."""
    with app.app_context():
        result = []
        for r in db.session.scalars(select(Response).order_by(Response.id)):
            result.append({
                "unit": r.unit.code,
                "questionnaire": r.questionnaire_id,
                "version": r.questionnaire_version,
                "hash": r.questionnaire_hash,
                "locale": r.locale,
                "channel": r.channel,
                "comment": r.comment,
                "submission_key": r.submission_key,
                "submitted_at": r.submitted_at,
                "answers": {a.item_code: a.value for a in r.answers},
                "choices": sorted((c.question_code, c.option_code) for c in r.choices),
            })
        return result


def response_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def open_form(client, url: str = "/u/P01") -> tuple[Page, dict]:
    """GET the survey; return the page and the hidden fields a browser would send back."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = Page(response.get_data(as_text=True))
    hidden = {"csrf_token": page.value("csrf_token"), "submission_key": page.value("submission_key"),
              "served_at": page.value("served_at")}
    assert hidden["csrf_token"] and re.fullmatch(r"[A-Za-z0-9_-]{16,64}", hidden["submission_key"])
    return page, hidden


def full_answers() -> dict:
    """Every criterion, the levels in turn, PA4 "no opinion"; expectations, profile, a comment."""
    return form_fields(cycled_submission(
        sipas(), PA4=0, expectations=("MD2", "MD5"),
        profile={"gender": "female", "age_group": "age35_49", "occupation": "farmer"},
        comment="  Cán bộ nhiệt tình, nhưng phòng chờ hơi chật.  ",
    ))


@pytest.fixture
def unit(app):
    add_unit(app)
    return "P01"


# ----------------------------------------------------------------------------- the page

def test_the_default_questionnaire_renders_every_question_in_vietnamese(client, unit):
    response = client.get("/u/P01")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    page = Page(html)

    assert page.html_lang == "vi"
    assert "UBND phường Bến Nghé" in page.title
    assert page.buttons == ["Gửi"]

    # 22 criteria, each a fieldset with its legend and the six radios named by its code.
    for code in CRITERIA:
        fieldset = page.fieldset(code)
        assert fieldset["legend"], code
        radios = [i for i in fieldset["inputs"] if i["type"] == "radio"]
        assert [r["name"] for r in radios] == [code] * 6
        assert [r["value"] for r in radios] == SCALE_VALUES
        assert not any("checked" in r for r in radios)
    assert page.fieldset("TC1")["legend"] == (
        "Nơi ngồi chờ tại Bộ phận tiếp nhận và trả kết quả có đủ chỗ ngồi")
    assert page.fieldset("PA4")["legend"] == (
        "Cơ quan thông báo kịp thời kết quả xử lý góp ý, phản ánh, kiến nghị")
    for label in ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng",
                  "Rất hài lòng", "Không có ý kiến"):
        assert f"<span>{label}</span>" in html
    # Each radio has a label bound to it (the large target).
    for code in CRITERIA:
        for i in range(6):
            assert f'<label class="option" for="{code}-{i}"><input id="{code}-{i}" name="{code}"' in html

    expectations = page.fieldset("expectations")
    assert expectations["legend"].startswith("Theo Ông/Bà, cơ quan cần cải thiện nội dung nào nhất?")
    assert [(i["type"], i["name"], i["value"]) for i in expectations["inputs"]] == [
        ("checkbox", "expectations", code) for code in EXPECTATION_OPTIONS]

    for code, options in PROFILE.items():
        fieldset = page.fieldset(code)
        assert fieldset["legend"]
        assert [(i["type"], i["name"], i["value"]) for i in fieldset["inputs"]] == [
            ("radio", code, option) for option in options]
    assert page.fieldset("gender")["legend"] == "Giới tính"

    # 22 criteria + expectations + 7 profile questions, and nothing else is a fieldset.
    assert len(page.fieldsets) == 22 + 1 + 7
    comment = page.textareas["comment"]
    assert comment["maxlength"] == "2000"
    assert comment["id"] == "comment"
    assert '<label for="comment" class="legend">Ý kiến khác của Ông/Bà (không bắt buộc)</label>' in html


def test_english_on_request(client, unit):
    html = client.get("/u/P01?lang=en").get_data(as_text=True)
    page = Page(html)
    assert page.html_lang == "en"
    assert page.buttons == ["Send"]
    assert page.fieldset("TC1")["legend"] == "There are enough seats in the waiting area of the one-stop shop"
    assert "<span>Very satisfied</span>" in html
    assert "<span>No opinion / not applicable</span>" in html
    assert page.fieldset("gender")["legend"] == "Gender"
    assert "Rất hài lòng" not in html
    # The switch leads back to Vietnamese, and the form posts to the English page.
    assert 'href="/u/P01?lang=vi" lang="vi" hreflang="vi">Tiếng Việt</a>' in html
    assert 'action="/u/P01?lang=en"' in html


def test_an_unknown_language_falls_back_to_vietnamese(client, unit):
    page = Page(client.get("/u/P01?lang=xx").get_data(as_text=True))
    assert page.html_lang == "vi"
    assert page.buttons == ["Gửi"]


def test_the_quick_questionnaire(client, unit):
    html = client.get("/u/P01?q=quick").get_data(as_text=True)
    page = Page(html)
    assert [f["id"] for f in page.fieldsets] == ["q-DV1", "q-DV2", "q-DV3", "q-DV4"]
    assert [i["value"] for i in page.fieldset("DV1")["inputs"]] == ["1", "2", "3"]
    assert "(bắt buộc)" in page.fieldset("DV1")["legend"]
    assert "(bắt buộc)" not in page.fieldset("DV2")["legend"]
    assert page.textareas["comment"]["maxlength"] == "500"
    assert 'action="/u/P01?q=quick"' in html


@pytest.mark.parametrize("url", ["/u/NOPE", "/u/NOPE?q=quick", "/u/P01?q=nope", "/u/NOPE/thanks",
                                 "/u/P01/thanks?q=nope"])
def test_unknown_unit_or_questionnaire_is_404(client, unit, url):
    response = client.get(url)
    assert response.status_code == 404
    page = Page(response.get_data(as_text=True))
    assert page.html_lang == "vi"
    assert "Trang này không tồn tại" in response.get_data(as_text=True)
    assert not page.fieldsets


def test_the_404_page_speaks_english_when_asked(client, unit):
    response = client.get("/u/NOPE?lang=en")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert Page(html).html_lang == "en"
    assert "This page does not exist" in html


def test_a_post_to_an_unknown_unit_stores_nothing(client, unit):
    _, hidden = open_form(client)
    response = client.post("/u/NOPE", data={**hidden, **full_answers()})
    assert response.status_code == 404
    assert response_count(client.application) == 0


# ----------------------------------------------------------------------------- submitting

def test_a_valid_submission_is_stored_once_and_thanked(app, client, unit):
    _, hidden = open_form(client)
    response = client.post("/u/P01", data={**hidden, **full_answers()})

    assert response.status_code == 302
    assert response.headers["Location"] == "/u/P01/thanks?lang=vi"
    (saved,) = stored(app)
    expected_answers = {code: 1 + i % 5 for i, code in enumerate(CRITERIA)}
    expected_answers["PA4"] = 0
    assert saved["answers"] == expected_answers
    assert saved["choices"] == [
        ("age_group", "age35_49"), ("expectations", "MD2"), ("expectations", "MD5"),
        ("gender", "female"), ("occupation", "farmer"),
    ]
    assert saved["comment"] == "Cán bộ nhiệt tình, nhưng phòng chờ hơi chật."
    assert saved["unit"] == "P01"
    assert saved["questionnaire"] == "sipas"
    assert saved["version"] == 1
    catalog = app.extensions["survey_catalog"]
    assert saved["hash"] == catalog.get("sipas").content_hash and len(saved["hash"]) >= 32
    assert saved["locale"] == "vi"
    assert saved["channel"] == "link"
    assert saved["submission_key"] == hidden["submission_key"]
    assert saved["submitted_at"].tzinfo is not None

    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    thanks_html = thanks.get_data(as_text=True)
    assert "<h1>Xin cảm ơn</h1>" in thanks_html
    assert "UBND phường Bến Nghé" in thanks_html
    assert Page(thanks_html).html_lang == "vi"


def test_an_english_submission_records_its_locale(app, client, unit):
    _, hidden = open_form(client, "/u/P01?lang=en")
    response = client.post("/u/P01?lang=en", data={**hidden, "TC1": "5"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/u/P01/thanks?lang=en"
    (saved,) = stored(app)
    assert saved["locale"] == "en"
    assert saved["answers"] == {"TC1": 5}
    assert saved["choices"] == []
    assert saved["comment"] is None
    assert "<h1>Thank you</h1>" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_empty_submission_is_refused_and_one_answer_is_enough(app, client, unit):
    # Every sipas question may be skipped, but not all of them (tests/web/public/test_empty_forms.py);
    # a blank answer has no row.
    _, hidden = open_form(client)
    response = client.post("/u/P01", data=hidden)
    assert response.status_code == 200 and "Bạn chưa trả lời câu hỏi nào." in response.get_data(as_text=True)
    assert stored(app) == []
    assert client.post("/u/P01", data={**hidden, "gender": "male"}).status_code == 302
    (saved,) = stored(app)
    assert saved["answers"] == {} and saved["choices"] == [("gender", "male")] and saved["comment"] is None


def test_the_same_form_posted_twice_counts_once(app, client, unit):
    _, hidden = open_form(client)
    data = {**hidden, **full_answers()}
    first = client.post("/u/P01", data=data)
    second = client.post("/u/P01", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert response_count(app) == 1

    # A new visit gets a new key, and counts.
    _, hidden_again = open_form(client)
    assert hidden_again["submission_key"] != hidden["submission_key"]
    assert client.post("/u/P01", data={**hidden_again, "TC1": "1"}).status_code == 302
    assert response_count(app) == 2


def test_the_quick_questionnaire_is_stored_as_quick(app, client, unit):
    _, hidden = open_form(client, "/u/P01?q=quick")
    response = client.post("/u/P01?q=quick", data={**hidden, "DV1": "3", "DV4": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/u/P01/thanks?q=quick&lang=vi"
    (saved,) = stored(app)
    assert saved["questionnaire"] == "quick"
    assert saved["hash"] == app.extensions["survey_catalog"].get("quick").content_hash
    assert saved["answers"] == {"DV1": 3, "DV4": 1}


# ----------------------------------------------------------------------------- validation

def test_a_missing_required_answer_is_explained_in_vietnamese_and_answers_are_kept(app, client, unit):
    _, hidden = open_form(client, "/u/P01?q=quick")
    response = client.post("/u/P01?q=quick", data={
        **hidden, "DV2": "3", "DV3": "1", "comment": "Chờ <lâu> quá & nóng"})

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.fieldset("DV1")["errors"] == [REQUIRED_VI]
    assert 'class="question has-error" id="q-DV1"' in html
    assert 'aria-describedby="DV1-error"' in html
    assert "Vui lòng kiểm tra lại câu trả lời" in page.error_summary
    assert REQUIRED_VI in page.error_summary
    assert page.checked("DV1") == []
    assert page.checked("DV2") == ["3"]
    assert page.checked("DV3") == ["1"]
    assert page.checked("DV4") == []
    assert page.textareas["comment"]["text"].strip() == "Chờ <lâu> quá & nóng"
    assert "Chờ &lt;lâu&gt; quá &amp; nóng" in html
    # The same key comes back, so that pressing Send again is still one response.
    assert page.value("submission_key") == hidden["submission_key"]
    assert response_count(app) == 0

    again = client.post("/u/P01?q=quick", data={
        "csrf_token": page.value("csrf_token"), "submission_key": page.value("submission_key"),
        "served_at": page.value("served_at"), "DV1": "2", "DV2": "3", "DV3": "1", "comment": page.textareas["comment"]["text"]})
    assert again.status_code == 302
    (saved,) = stored(app)
    assert saved["answers"] == {"DV1": 2, "DV2": 3, "DV3": 1}
    assert saved["comment"] == "Chờ <lâu> quá & nóng"


def test_a_missing_required_answer_in_english(client, unit):
    _, hidden = open_form(client, "/u/P01?q=quick&lang=en")
    response = client.post("/u/P01?q=quick&lang=en", data={**hidden, "DV2": "3"})
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.html_lang == "en"
    assert page.fieldset("DV1")["errors"] == ["Please answer this question."]
    assert page.checked("DV2") == ["3"]


def test_more_than_three_expectations_is_refused(app, client, unit):
    _, hidden = open_form(client)
    chosen = ["MD1", "MD3", "MD4", "MD6"]
    response = client.post("/u/P01", data={**hidden, "TC1": "4", "expectations": chosen})
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.fieldset("expectations")["errors"] == ["Vui lòng chọn tối đa 3 nội dung."]
    assert page.checked("expectations") == chosen
    assert page.checked("TC1") == ["4"]
    assert response_count(app) == 0

    # Three is allowed.
    response = client.post("/u/P01", data={**hidden, "TC1": "4", "expectations": chosen[:3]})
    assert response.status_code == 302
    assert [c for c in stored(app)[0]["choices"] if c[0] == "expectations"] == [
        ("expectations", "MD1"), ("expectations", "MD3"), ("expectations", "MD4")]


def test_a_comment_over_the_limit_is_refused(app, client, unit):
    _, hidden = open_form(client)
    too_long = "ý" * 2001
    response = client.post("/u/P01", data={**hidden, "TC2": "5", "comment": too_long})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = Page(html)
    assert "Vui lòng viết ý kiến không quá 2000 ký tự." in html
    assert 'aria-describedby="comment-error"' in html
    assert page.textareas["comment"]["text"].strip() == too_long
    assert page.checked("TC2") == ["5"]
    assert response_count(app) == 0

    exactly = "ý" * 2000
    assert client.post("/u/P01", data={**hidden, "comment": exactly}).status_code == 302
    assert stored(app)[0]["comment"] == exactly


def test_line_breaks_count_as_one_character_like_the_browser_counts_them(app, client, unit):
    # A browser lets 2,000 characters into the box (a line break counts 1) and then sends
    # every line break as CRLF: that comment must be accepted.
    _, hidden = open_form(client)
    lines = "a" * 999 + "\r\n" + "b" * 1000
    assert len(lines) == 2001
    response = client.post("/u/P01", data={**hidden, "comment": lines})
    assert response.status_code == 302
    assert stored(app)[0]["comment"] == "a" * 999 + "\n" + "b" * 1000


@pytest.mark.parametrize("field, value", [
    ("TC1", "9"), ("TC1", "-1"), ("TC1", "abc"), ("gender", "robot"), ("expectations", "MD9"),
])
def test_an_answer_that_was_not_offered_is_refused_in_vietnamese(app, client, unit, field, value):
    _, hidden = open_form(client)
    response = client.post("/u/P01", data={**hidden, "TC2": "2", field: value})
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.fieldset(field)["errors"] == [NOT_OFFERED_VI]
    assert page.checked("TC2") == ["2"]
    assert page.checked(field) == []
    assert response_count(app) == 0


def test_testing_mode_does_not_switch_off_csrf(app):
    # Flask-WTF checks tokens unless WTF_CSRF_ENABLED is false; TESTING alone does not.
    assert app.config["TESTING"] is True
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


@pytest.mark.parametrize("token", [None, "", "not-a-token", "forged.token.value"])
def test_a_missing_or_wrong_csrf_token_keeps_the_answers(app, client, unit, token):
    _, hidden = open_form(client)
    data = {**hidden, **full_answers()}
    if token is None:
        del data["csrf_token"]
    else:
        data["csrf_token"] = token
    response = client.post("/u/P01", data=data)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = Page(html)
    assert SESSION_EXPIRED_VI in page.error_summary
    assert "CSRF" not in html
    assert page.checked("TC1") == ["1"]
    assert page.checked("PA4") == ["0"]
    assert page.checked("expectations") == ["MD2", "MD5"]
    assert page.checked("gender") == ["female"]
    assert "phòng chờ hơi chật" in page.textareas["comment"]["text"]
    assert response_count(app) == 0

    # Pressing Send again with the page as re-rendered succeeds, once.
    fresh = {"csrf_token": page.value("csrf_token"), "submission_key": page.value("submission_key"),
             "served_at": page.value("served_at")}
    assert fresh["csrf_token"] and fresh["csrf_token"] != token
    assert fresh["submission_key"] == hidden["submission_key"]
    assert client.post("/u/P01", data={**fresh, **full_answers()}).status_code == 302
    assert response_count(app) == 1


def test_a_token_from_another_session_is_refused(app, unit):
    other, visitor = app.test_client(), app.test_client()
    _, hidden = open_form(other)
    open_form(visitor)
    response = visitor.post("/u/P01", data={**hidden, "TC1": "5"})
    assert response.status_code == 200
    assert SESSION_EXPIRED_VI in Page(response.get_data(as_text=True)).error_summary
    assert response_count(app) == 0


@pytest.mark.parametrize("key", [None, "short", "has spaces in it, sixteen+"])
def test_a_lost_or_mangled_submission_key_asks_to_send_again(app, client, unit, key):
    _, hidden = open_form(client)
    data = {**hidden, "TC3": "4"}
    if key is None:
        del data["submission_key"]
    else:
        data["submission_key"] = key
    response = client.post("/u/P01", data=data)
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert SESSION_EXPIRED_VI in page.error_summary
    assert page.checked("TC3") == ["4"]
    new_key = page.value("submission_key")
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", new_key)
    assert response_count(app) == 0

    assert client.post("/u/P01", data={
        "csrf_token": page.value("csrf_token"), "submission_key": new_key, "served_at": page.value("served_at"),
        "TC3": "4"}).status_code == 302
    assert stored(app)[0]["submission_key"] == new_key


def test_a_body_over_the_size_limit_is_413_and_stores_nothing(app, client, unit):
    _, hidden = open_form(client)
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 64 * 1024
    response = client.post("/u/P01", data={**hidden, "TC1": "5", "comment": "x" * (limit + 1)})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Nội dung gửi quá dài. Vui lòng rút gọn ý kiến và gửi lại." in html
    assert Page(html).html_lang == "vi"
    assert response_count(app) == 0

    english = client.post("/u/P01?lang=en", data={**hidden, "comment": "x" * (limit + 1)})
    assert english.status_code == 413
    assert "What you sent is too large" in english.get_data(as_text=True)
    assert response_count(app) == 0


# ----------------------------------------------------------------------------- escaping

def test_a_unit_name_is_escaped_everywhere(app, client):
    add_unit(app, code="X1", name="<script>alert(1)</script>")
    form_html = client.get("/u/X1").get_data(as_text=True)
    assert "<script>" not in form_html
    assert form_html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # title and header

    _, hidden = open_form(client, "/u/X1")
    response = client.post("/u/X1", data={**hidden, "TC1": "3"})
    assert response.status_code == 302
    thanks_html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>" not in thanks_html
    # Title, header and the thank-you sentence that names the unit.
    assert thanks_html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3


def test_query_string_is_escaped_in_the_form_action(client, unit):
    html = client.get('/u/P01?lang="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>" not in html
    assert Page(html).html_lang == "vi"
