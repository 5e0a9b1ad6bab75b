"""The staff forms (web/staff/forms.py) answer bad values in the reader's language.

WTForms has no Vietnamese: every message a clerk can see, WTForms' own included ("Not a valid
integer value."), comes from our catalog. Each case is posted twice, in Vietnamese (the default)
and with ?lang=en, and must store nothing. The Vietnamese is the text of messages.po.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from accounts import add_user, csrf_from, log_in
from factories import unit_tree
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Invitation, Kiosk
from survey_app.services.units import unit_by_code

# (English, Vietnamese) as in survey_app/translations/vi/LC_MESSAGES/messages.po.
NOT_AN_INTEGER = ("Not a valid integer value.", "Vui lòng nhập một số nguyên.")
OUT_OF_RANGE = ("Please give a number between 1 and 500.", "Vui lòng nhập một số từ 1 đến 500.")
NO_COUNT = ("Please give a number of slips.", "Vui lòng nhập số phiếu.")
NO_UNIT = ("Please choose a unit.", "Vui lòng chọn đơn vị.")
NOT_OFFERED = ("Not a valid choice.", "Vui lòng chọn một trong các lựa chọn có sẵn.")
NO_NAME = ("Please give the kiosk a name.", "Vui lòng đặt tên cho máy khảo sát.")
TOO_LONG_64 = ("Please use at most 64 characters.", "Vui lòng nhập tối đa 64 ký tự.")
TOO_LONG_255 = ("Please use at most 255 characters.", "Vui lòng nhập tối đa 255 ký tự.")
CHECK_THE_FORM = ("Please check the form", "Vui lòng kiểm tra lại biểu mẫu")
COUNT_LABEL = ("Number of slips", "Số phiếu")
PROCEDURE_LABEL = ("Procedure code (optional)", "Mã thủ tục (không bắt buộc)")
# What a Vietnamese clerk must never see: WTForms' English, or ours untranslated.
ENGLISH_ONLY = ("This field is required", "Not a valid", "Please give", "Please choose", "Please use",
                "Number of slips", "Procedure code")

LANGUAGES = [pytest.param("vi", 1, id="vi"), pytest.param("en", 0, id="en")]


@pytest.fixture
def staff(app, client):
    """A staff member of Q1 (Q1 > P01; Q3 apart), signed in."""
    with app.app_context():
        unit_tree(db.session, "Q1 > P01; Q3", {"Q1": "UBND Quận 1", "P01": "UBND phường Bến Nghé",
                                              "Q3": "UBND Quận 3"})
        db.session.commit()
    log_in(client, add_user(app, "lan@q1.example.vn", "staff", "Q1"))
    return client


def unit_id(app, code: str) -> int:
    with app.app_context():
        return unit_by_code(db.session, code).id


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/html"
    return unescape(response.get_data(as_text=True))


def assert_no_english(html: str) -> None:
    shown = re.sub(r"<[^>]+>", " ", html)
    for english in ENGLISH_ONLY:
        assert english not in shown, english


# ----------------------------------------------------------------------------- slips

def post_slips(app, client, lang: str, **fields):
    query = "?lang=en" if lang == "en" else ""
    token = csrf_from(client.get(f"/staff/invitations{query}").get_data(as_text=True))
    data = {"csrf_token": token, "unit": str(unit_id(app, "P01")), "count": "8", **fields}
    return client.post(f"/staff/invitations{query}", data=data)


@pytest.mark.parametrize(("fields", "message", "label"), [
    ({"count": "abc"}, NOT_AN_INTEGER, COUNT_LABEL),
    ({"count": "0"}, OUT_OF_RANGE, COUNT_LABEL),
    ({"count": "501"}, OUT_OF_RANGE, COUNT_LABEL),
    ({"count": ""}, NO_COUNT, COUNT_LABEL),
    ({"count": "8", "procedure": "1." * 33}, TOO_LONG_64, PROCEDURE_LABEL),
])
@pytest.mark.parametrize(("lang", "index"), LANGUAGES)
def test_a_bad_slips_form_is_explained_in_the_readers_language(app, staff, fields, message, label, lang, index):
    html = text_of(post_slips(app, staff, lang, **fields))
    assert f'<html lang="{lang}">' in html
    assert CHECK_THE_FORM[index] in html
    # In the summary, after the field's label: "Số phiếu: Vui lòng nhập một số nguyên."
    assert f"{label[index]}: {message[index]}" in html
    if lang == "vi":
        assert_no_english(html)
    assert count(app, Invitation) == 0


@pytest.mark.parametrize(("lang", "index"), LANGUAGES)
def test_a_slips_form_without_a_unit_asks_for_one(app, staff, lang, index):
    html = text_of(post_slips(app, staff, lang, unit=""))
    assert NO_UNIT[index] in html
    if lang == "vi":
        assert_no_english(html)
    assert count(app, Invitation) == 0


def test_a_unit_not_offered_on_the_slips_form_is_refused_before_anything_else(app, staff):
    # The slips form offers only the units in scope; any other unit is a forged request (403,
    # in Vietnamese), whatever the rest of the form says.
    for lang, sorry in (("vi", "Xin lỗi"), ("en", "Sorry")):
        response = post_slips(app, staff, lang, unit=str(unit_id(app, "Q3")), count="abc")
        assert response.status_code == 403
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html and sorry in html
    assert count(app, Invitation) == 0


# ----------------------------------------------------------------------------- kiosks

def post_kiosk(client, lang: str, **fields):
    query = "?lang=en" if lang == "en" else ""
    token = csrf_from(client.get(f"/staff/kiosks{query}").get_data(as_text=True))
    return client.post(f"/staff/kiosks{query}", data={"csrf_token": token, "unit": "P01", **fields})


def field_errors(html: str) -> list[str]:
    return re.findall(r'<p class="error">([^<]*)</p>', html)


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": ""}, NO_NAME),
    ({"name": "   "}, NO_NAME),                 # only spaces: no name either
    ({"name": "x" * 256}, TOO_LONG_255),
    ({"name": "Quầy 1", "unit": "Q3"}, NOT_OFFERED),    # another branch: not among the choices
    ({"name": "Quầy 1", "unit": "NOPE"}, NOT_OFFERED),
    ({"name": "Quầy 1", "unit": ""}, NO_UNIT),
])
@pytest.mark.parametrize(("lang", "index"), LANGUAGES)
def test_a_bad_kiosk_form_is_explained_in_the_readers_language(app, staff, fields, message, lang, index):
    html = text_of(post_kiosk(staff, lang, **fields))
    assert field_errors(html) == [message[index]]
    if lang == "vi":
        assert_no_english(html)
    assert count(app, Kiosk) == 0


def test_the_form_labels_are_vietnamese_too(staff):
    slips = staff.get("/staff/invitations").get_data(as_text=True)
    assert ">Số phiếu</label>" in slips and ">Mã thủ tục (không bắt buộc)</label>" in slips
    assert ">Đơn vị</label>" in slips
    kiosks = staff.get("/staff/kiosks").get_data(as_text=True)
    assert ">Tên máy (ví dụ: Quầy 1, tầng trệt)</label>" in kiosks
    assert_no_english(slips)
    assert_no_english(kiosks)


@pytest.mark.parametrize("path", ["/staff/kiosks?lang=en", "/staff/?lang=en"])
def test_an_english_staff_page_says_it_is_english(staff, path):
    html = staff.get(path).get_data(as_text=True)
    assert "Your units" in html  # English text (the account bar links to the staff page)...
    assert '<html lang="en">' in html  # ...and the page says so, for screen readers and spelling
