"""A NUL or another control character is refused the same way on every form, in addresses, on
the API and by the importers: a clear 4xx or a form with its message, nothing stored, never a
500 (PostgreSQL refuses a NUL in any query). And ids cannot be probed: another unit's kiosk is
the same 404 as a missing one."""

from __future__ import annotations

import pytest
from accounts import PASSWORD, add_user, csrf_from, log_in
from factories import criteria_codes, invitations, kiosk, sipas, unit_tree
from pages import survey_fields
from sqlalchemy import func, select

from survey_app import catalog_of
from survey_app.domain.csv_files import CsvError
from survey_app.extensions import db
from survey_app.models import Invitation, Kiosk, Response, Unit
from survey_app.services.interchange import import_responses
from survey_app.services.units import import_units

BAD = ["a\x00b", "\x1b[2J", "x\x7fy", "\x85", "a\u2028b"]
MESSAGE = "Vui lòng xóa các ký tự điều khiển không nhìn thấy khỏi nội dung này."


@pytest.fixture
def site(app):
    with app.app_context():
        units = unit_tree(db.session, "TINH > STP, SXD")
        (issued,) = invitations(db.session, units["STP"])
        made, key = kiosk(db.session, units["STP"])
        other, _ = kiosk(db.session, units["SXD"], "Quầy SXD")
        db.session.commit()
        site = {"token": issued.token, "kiosk": f"/k/{made.public_id}?key={key}", "other_kiosk": other.id}
    site["staff"] = add_user(app, "staff@example.gov.vn", "staff", "STP")
    return site


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def answers() -> dict[str, str]:
    return {code: "4" for code in criteria_codes(sipas())}


@pytest.mark.parametrize("text", BAD)
@pytest.mark.parametrize("where", ["/u/STP", "token", "kiosk"])
def test_a_comment_with_a_control_character_is_refused_with_a_message(app, client, site, where, text):
    url = {"token": f"/s/{site['token']}", "kiosk": site["kiosk"]}.get(where, where)
    page = client.post(url, data={**survey_fields(client, url), **answers(), "comment": text})
    assert page.status_code == 200
    assert MESSAGE in page.get_data(as_text=True)
    assert count(app, Response) == 0
    with app.app_context():
        assert db.session.scalar(select(Invitation)).answered_on is None


def test_a_comment_with_line_breaks_and_tabs_is_stored(app, client, site):
    fields = survey_fields(client, "/u/STP")
    posted = client.post("/u/STP", data={**fields, **answers(), "comment": "Dòng 1\r\n\tDòng 2"})
    assert posted.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Response.comment)) == "Dòng 1\n\tDòng 2"


@pytest.mark.parametrize("text", BAD)
def test_a_login_email_with_a_control_character_is_refused(app, client, site, text):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    page = client.post("/login", data={"csrf_token": token, "email": f"staff@example.gov.vn{text}",
                                       "password": PASSWORD})
    assert page.status_code == 200
    assert MESSAGE in page.get_data(as_text=True)


@pytest.mark.parametrize("text", BAD)
def test_a_slip_procedure_code_or_a_kiosk_name_with_a_control_character_is_refused(app, client, site, text):
    log_in(client, site["staff"])
    with app.app_context():
        stp = db.session.scalar(select(Unit.id).where(Unit.code == "STP"))
    page = client.get("/staff/invitations").get_data(as_text=True)
    slips = client.post("/staff/invitations", data={"csrf_token": csrf_from(page), "unit": str(stp),
                                                    "count": "2", "procedure": f"1.00{text}4"})
    assert slips.status_code == 200 and MESSAGE in slips.get_data(as_text=True)
    assert count(app, Invitation) == 1
    page = client.get("/staff/kiosks").get_data(as_text=True)
    kiosks = client.post("/staff/kiosks", data={"csrf_token": csrf_from(page), "unit": "STP",
                                                "name": f"Quầy{text}"})
    assert kiosks.status_code == 200 and MESSAGE in kiosks.get_data(as_text=True)
    assert count(app, Kiosk) == 2


@pytest.mark.parametrize(("path", "status"), [
    ("/u/ST%00P", 404), ("/u/ST%00P/thanks", 404), ("/k/abc%00?key=", 404), ("/k/abc%00/thanks", 404),
    ("/s/abc%00def", 404), ("/s/abc%1b/qr.svg", 404), ("/u/STP?q=%00", 400), ("/u/STP?lang=vi%00", 400),
    ("/u/STP?%00=1", 400), ("/login?next=/staff/%00", 400),
])
def test_an_address_with_a_control_character_gets_a_page_not_a_database_error(client, site, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert "<html" in response.get_data(as_text=True)


def test_a_kiosk_key_with_a_control_character_gets_a_kiosk_page_leading_back(client, site):
    response = client.get(site["kiosk"] + "%00")
    assert response.status_code == 400
    assert 'http-equiv="refresh"' in response.get_data(as_text=True)


def test_staff_addresses_with_a_control_character_are_404(client, site):
    log_in(client, site["staff"])
    assert client.get("/staff/units/ST%00P/poster.pdf").status_code == 404
    assert client.get("/staff/invitations?unit=1%00").status_code == 400


@pytest.mark.parametrize("body", [
    {"unit": "ST\x00P"}, {"unit": "STP", "procedure": "1\x1b"}, {"unit": "STP", "reference": "r\x85"},
    {"unit": "STP", "reference": "a\u2028b"},
])
def test_the_api_refuses_control_characters_in_json(app, client, site, body):
    from datetime import datetime, timezone

    from survey_app.services import api_keys
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "STP"))
        _, key = api_keys.create_api_key(db.session, name="k", unit=unit, now=datetime.now(timezone.utc))
        db.session.commit()
    response = client.post("/api/v1/invitations", json=body, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_request"
    lone = client.post("/api/v1/invitations", data=b'{"unit": "STP", "procedure": "\\ud800"}',
                       content_type="application/json", headers={"Authorization": f"Bearer {key}"})
    assert lone.status_code == 400
    assert client.get("/api/v1/invitations/ab%00", headers={"Authorization": f"Bearer {key}"}).status_code == 404
    assert count(app, Invitation) == 1


def test_the_importers_refuse_control_characters_naming_the_line(app, site):
    q = sipas()
    header = "submitted_at,unit,questionnaire,channel,locale," + ",".join(criteria_codes(q)) + ",comment\n"
    row = "2026-03-02T09:15:00+07:00,STP,sipas,paper,vi," + ",".join("4" for _ in criteria_codes(q))
    with app.app_context():
        with pytest.raises(CsvError) as refused:
            import_responses(db.session, catalog_of(app), (header + row + ",fine\n" + row + ",a\x00b\n").encode())
        assert refused.value.problems == ["line 3: comment: contains characters that are not allowed in text (U+0000)"]
        with pytest.raises(CsvError) as refused:
            import_units(db.session, "code,name,parent\nX1,Xã\x1b một,TINH\n".encode())
        assert refused.value.problems == ["line 2: the name of X1 contains characters that are not allowed in text (U+001B)"]
        db.session.rollback()
        # A comment's CRLF line breaks are stored as a browser's would be.
        assert import_responses(db.session, catalog_of(app), (header + row + ',"a\r\nb"\n').encode()) == 1
        db.session.commit()
        assert db.session.scalar(select(Response.comment)) == "a\nb"
    assert count(app, Unit) == 3


# ----------------------------------------------------------------------------- kiosk ids

def test_another_units_kiosk_is_the_same_404_as_a_missing_one(app, client, site):
    log_in(client, site["staff"])
    token = csrf_from(client.get("/staff/kiosks").get_data(as_text=True))
    other = client.post(f"/staff/kiosks/{site['other_kiosk']}/revoke", data={"csrf_token": token})
    missing = client.post("/staff/kiosks/999999/revoke", data={"csrf_token": token})
    huge = client.post(f"/staff/kiosks/{10 ** 20}/revoke", data={"csrf_token": token})
    assert other.status_code == missing.status_code == huge.status_code == 404
    assert other.get_data() == missing.get_data()
    with app.app_context():
        assert db.session.get(Kiosk, site["other_kiosk"]).revoked_at is None


@pytest.mark.parametrize("odd", [{"expectations": ["", "MD1"]}, {"TC1": " "}, {"gender": " "},
                                 {"expectations": [" "]}])
def test_blank_looking_answers_that_are_not_offered_get_the_form_again(app, client, site, odd):
    # Found by the fuzz tests: WTForms' Optional() let these through to the service (a 500).
    fields = survey_fields(client, "/u/STP")
    page = client.post("/u/STP", data={**fields, **answers(), **odd})
    assert page.status_code == 200
    assert "Vui lòng chọn một trong các phương án" in page.get_data(as_text=True)
    assert count(app, Response) == 0
