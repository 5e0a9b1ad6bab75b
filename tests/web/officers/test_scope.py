"""Who sees what: every officers' page and file checks the reader's unit scope on the server; a
unit outside it is answered exactly like a unit that does not exist (404)."""

from __future__ import annotations

import pytest
from accounts import PASSWORD, add_user, csrf_from, log_in
from html_tables import Page
from jobs_flow import ask_for, follow_job
from report_province import PERIOD
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import User

DEPARTMENTS = {"SO", "STP", "SXD", "SCT", "SYT", "SNV"}
EVERY_UNIT = DEPARTMENTS | {"TINH", "XA", "X1", "X2"}


def shown_units(client) -> set[str]:
    response = client.get("/reports/", query_string=PERIOD)
    assert response.status_code == 200
    return {row_id.removeprefix("unit-") for row_id in Page(response.get_data(as_text=True)).row_ids("unit-")}


def addresses(code: str) -> list[str]:
    """Every officers' address that names a unit: its page, then its files (asked for by POST)."""
    query = f"from={PERIOD['from']}&to={PERIOD['to']}"
    return [f"/reports/units/{code}?{query}", f"/reports/report.pdf?{query}&unit={code}",
            f"/reports/report.xlsx?{query}&unit={code}"]


def visit(client, path: str):
    """A page is read (GET), a file asked for as the pages' buttons do (POST with the token)."""
    return ask_for(client, path) if "/reports/report." in path else client.get(path)


@pytest.mark.parametrize("path", ["/reports/", "/reports/units/STP"])
def test_anonymous_readers_are_sent_to_sign_in(client, province, path):
    response = client.get(path, query_string=PERIOD)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/reports/report.pdf", "/reports/report.xlsx"])
def test_anonymous_posts_for_a_file_are_sent_to_sign_in(client, province, path):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(path, query_string=PERIOD, data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_an_officer_of_a_subtree_sees_only_that_subtree(app, client, province, scores_json):
    log_in(client, add_user(app, "so@binhan.gov.vn", "officer", "SO"))
    assert shown_units(client) == DEPARTMENTS
    # Its summary is the subtree's, as `scores --unit SO` counts it.
    page = Page(client.get("/reports/", query_string={**PERIOD, "lang": "en"}).get_data(as_text=True))
    assert page.text("overall-n") == str(scores_json("--unit", "SO")["overall"]["n"])
    for code in ("X1", "XA", "TINH", "NOPE"):
        for path in addresses(code):
            assert visit(client, path).status_code == 404, path
    assert client.get(addresses("STP")[0]).status_code == 200


def test_staff_of_one_unit_cannot_get_another_unit_s_page_or_files(app, client, province):
    log_in(client, add_user(app, "stp@binhan.gov.vn", "staff", "STP"))
    assert shown_units(client) == {"STP"}
    for code in ("SXD", "SO", "TINH", "X2"):
        for path in addresses(code):
            assert visit(client, path).status_code == 404, path
    assert client.get(addresses("STP")[0]).status_code == 200
    workbook = follow_job(client, ask_for(client, addresses("STP")[2]))
    assert workbook.status_code == 200
    # Without ?unit= a file covers the reader's scope, not the province.
    own = follow_job(client, ask_for(client, f"/reports/report.xlsx?from={PERIOD['from']}&to={PERIOD['to']}"))
    assert own.status_code == 200 and "bao-cao-hai-long-STP-" in own.headers["Content-Disposition"]


def test_admins_and_officers_without_a_unit_see_every_unit(app, client, province):
    log_in(client, add_user(app, "admin@binhan.gov.vn", "admin", None))
    assert shown_units(client) == EVERY_UNIT


def test_a_staff_account_left_without_a_unit_sees_nothing(app, client, province):
    log_in(client, add_user(app, "lost@binhan.gov.vn", "staff", "STP"))
    with app.app_context():
        db.session.scalar(select(User).where(User.email == "lost@binhan.gov.vn")).unit_id = None
        db.session.commit()
    response = client.get("/reports/", query_string=PERIOD)
    assert response.status_code == 200 and 'id="unit-' not in response.get_data(as_text=True)
    assert ask_for(client, f"/reports/report.xlsx?from={PERIOD['from']}&to={PERIOD['to']}").status_code == 404
    assert client.get(addresses("STP")[0]).status_code == 404


@pytest.mark.parametrize(("role", "unit", "landing"), [
    ("officer", "SO", "/reports/"), ("officer", None, "/reports/"),
    ("staff", "STP", "/staff/"), ("admin", None, "/staff/"),
])
def test_officers_land_on_the_reports_after_signing_in(app, client, province, role, unit, landing):
    email = add_user(app, f"{role}@binhan.gov.vn", role, unit)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.headers["Location"] == landing


def test_reports_are_linked_from_the_account_bar_and_the_staff_home(app, client, province):
    log_in(client, add_user(app, "stp@binhan.gov.vn", "staff", "STP"))
    html = client.get("/staff/").get_data(as_text=True)
    assert '<a href="/reports/">Báo cáo</a>' in html
    assert 'href="/reports/units/STP"' in html
    english = client.get("/staff/?lang=en").get_data(as_text=True)
    assert '<a href="/reports/?lang=en">Reports</a>' in english
