"""Staff print a sheet of single-use invitation slips: ``/staff/invitations`` -> A4 PDF.

The PDF is read the way a person and a phone would: its text with ``pdftotext``, its pages
with ``pdfinfo``, and its QR codes by rendering page 1 (``pdftoppm``) and decoding the image
(``zbarimg``); a decoded address then opens the survey.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from accounts import PASSWORD, csrf_from, log_in
from factories import form_fields, full_submission, sipas, unit_tree
from jobs_flow import follow_job
from pages import hidden_field
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Invitation, Response
from survey_app.services.accounts import create_user
from survey_app.services.secrets import secret_hash

INSTRUCTION = "Quét mã QR để đánh giá sự hài lòng của Ông/Bà về việc giải quyết hồ sơ"
SHORT_URL = re.compile(r"http://localhost/s/[A-Za-z0-9_-]{24}")


# ----------------------------------------------------------------------------- helpers

@pytest.fixture
def units(app) -> dict[str, int]:
    """A district with two wards (siblings), and a staff member of each ward."""
    with app.app_context():
        made = unit_tree(db.session, "Q1 > P-BN, P-DK", names={
            "Q1": "UBND Quận 1", "P-BN": "UBND phường Bến Nghé", "P-DK": "UBND phường Đa Kao"})
        district, ward_a, ward_b = made["Q1"], made["P-BN"], made["P-DK"]
        now = datetime.now(timezone.utc)
        create_user(db.session, email="a@q1.gov.vn", password=PASSWORD, role="staff", unit=ward_a, now=now)
        create_user(db.session, email="b@q1.gov.vn", password=PASSWORD, role="staff", unit=ward_b, now=now)
        db.session.commit()
        return {"Q1": district.id, "A": ward_a.id, "B": ward_b.id}


def slips_form(client, query: str = "") -> tuple[str, str]:
    page = client.get(f"/staff/invitations{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html, csrf_from(html)


def invitations(app) -> list[dict]:
    with app.app_context():
        return [{"unit_id": i.unit_id, "token_hash": i.token_hash, "procedure": i.procedure_code,
                 "issued_on": i.issued_on, "expires_at": i.expires_at, "channel": i.channel}
                for i in db.session.scalars(select(Invitation).order_by(Invitation.id))]


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_pages(path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", run("pdfinfo", str(path)), re.M).group(1))


def qr_codes(png) -> list[str]:
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


# ----------------------------------------------------------------------------- access

def test_signed_out_visitors_are_sent_to_the_login_page(app, client, units):
    # A signed-out session has a CSRF token too (from the login page): the post is still refused.
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for response in (client.get("/staff/invitations"),
                     client.post("/staff/invitations",
                                 data={"unit": units["A"], "count": 8, "csrf_token": token})):
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"
    assert invitations(app) == []


def test_staff_choose_only_among_their_units(app, client, units):
    log_in(client, "a@q1.gov.vn")
    html, _ = slips_form(client)
    options = dict((int(v), label) for v, label in re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', html))
    assert options == {units["A"]: "UBND phường Bến Nghé (P-BN)"}


def test_staff_get_403_for_a_sibling_unit_or_a_forged_id(app, client, units):
    log_in(client, "a@q1.gov.vn")
    _, token = slips_form(client)
    for unit in (units["B"], units["Q1"], 999999, "abc", "99999999999999999999"):
        response = client.post("/staff/invitations", data={"unit": unit, "count": 8, "csrf_token": token})
        assert response.status_code == 403, unit
    # Even with an invalid count, a unit out of scope is refused as such.
    response = client.post("/staff/invitations", data={"unit": units["B"], "count": 0, "csrf_token": token})
    assert response.status_code == 403
    assert invitations(app) == []


@pytest.mark.parametrize("count", ["0", "501", "-3", "", "eight"])
def test_a_count_outside_1_to_500_is_a_form_error_and_issues_nothing(app, client, units, count):
    log_in(client, "a@q1.gov.vn")
    _, token = slips_form(client, "?lang=en")
    response = client.post("/staff/invitations?lang=en",
                           data={"unit": units["A"], "count": count, "csrf_token": token})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html
    if count in ("0", "501", "-3"):
        assert "Please give a number between 1 and 500." in html
    assert invitations(app) == []


def test_a_missing_csrf_token_issues_nothing(app, client, units):
    log_in(client, "a@q1.gov.vn")
    response = client.post("/staff/invitations", data={"unit": units["A"], "count": 8})
    assert response.status_code == 400  # CSRFProtect, before the view runs
    assert invitations(app) == []


# ----------------------------------------------------------------------------- the PDF

def test_the_slip_sheet_reads_right_and_its_qr_codes_open_the_survey(app, client, units, tmp_path):
    log_in(client, "a@q1.gov.vn")
    _, token = slips_form(client)
    # Over one page: a background job makes it, and its page leads to the file.
    response = follow_job(client, client.post("/staff/invitations", data={
        "unit": units["A"], "count": "9", "procedure": " 1.004227 ", "csrf_token": token}))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"

    issued = invitations(app)
    assert len(issued) == 9
    tz = ZoneInfo(app.config["TIMEZONE"])
    assert all(i["unit_id"] == units["A"] and i["procedure"] == "1.004227" and i["channel"] == "direct"
               for i in issued)
    # Issued today (a day, no time), valid today and the 30 days after: until the local midnight
    # that ends the 30th day.
    assert {i["issued_on"] for i in issued} == {datetime.now(tz).date()}
    assert {i["expires_at"] for i in issued} == {
        datetime.combine(issued[0]["issued_on"] + timedelta(days=31), time(), tz).astimezone(timezone.utc)}
    local_day = issued[0]["issued_on"].strftime("%Y-%m-%d")
    assert response.headers["Content-Disposition"] == f"attachment; filename=phieu-khao-sat-P-BN-{local_day}.pdf"

    pdf = tmp_path / "slips.pdf"
    pdf.write_bytes(response.data)
    assert pdf_pages(pdf) == 2  # 8 slips per A4 page

    text = run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    flat = " ".join(text.split())
    expiry = (issued[0]["issued_on"] + timedelta(days=30)).strftime("%d/%m/%Y")  # the last valid day
    assert flat.count("UBND phường Bến Nghé") == 9
    assert flat.count(INSTRUCTION) == 9
    assert flat.count(f"Hạn đánh giá: {expiry}") == 9
    assert flat.count("1.004227") == 9
    printed = SHORT_URL.findall(text)
    assert len(printed) == len(set(printed)) == 9
    # Each printed address holds the token of one of the invitations, which only its hash records.
    assert {secret_hash(url.rsplit("/", 1)[1]) for url in printed} == {i["token_hash"] for i in issued}

    run("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    decoded = qr_codes(tmp_path / "page-1.png")
    assert len(decoded) == 8 and set(decoded) <= set(printed)

    # A citizen's phone opens a decoded address: the survey, answered once.
    path = urlsplit(decoded[0]).path
    citizen = app.test_client()
    survey = citizen.get(path)
    assert survey.status_code == 200
    html = survey.get_data(as_text=True)
    assert "UBND phường Bến Nghé" in html and 'name="TC1"' in html
    fields = {"csrf_token": csrf_from(html), "submission_key": hidden_field(html, "submission_key")}
    answers = form_fields(full_submission(sipas(), 5))
    assert citizen.post(path, data={**fields, **answers}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)
                                 .where(Response.channel == "invitation")) == 1
    second = app.test_client()
    assert second.get(path).status_code == 410
    assert citizen.post(path, data={**fields, "submission_key": "another-key-0123456789",
                                    **answers}).status_code == 410
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_public_base_url_is_printed_when_set(app, client, units, tmp_path):
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.example.gov.vn/"
    log_in(client, "b@q1.gov.vn")
    _, token = slips_form(client)
    response = client.post("/staff/invitations", data={"unit": units["B"], "count": "1", "csrf_token": token})
    assert response.mimetype == "application/pdf"
    pdf = tmp_path / "one.pdf"
    pdf.write_bytes(response.data)
    assert pdf_pages(pdf) == 1
    text = run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    printed = re.findall(r"https://khaosat\.example\.gov\.vn/s/[A-Za-z0-9_-]{24}", text)
    assert len(printed) == 1
    assert "localhost" not in text
    run("pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "one"))
    assert qr_codes(tmp_path / "one-1.png") == printed
    (issued,) = invitations(app)
    assert issued["unit_id"] == units["B"] and issued["procedure"] is None
