"""/staff/audit: the audit log for admins, newest first, by page, from a day on, of one action;
an admin with a unit sees the events of their scope; nobody else sees it at all."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from accounts import add_user, log_in
from factories import unit_tree
from html_tables import Page
from sqlalchemy import select

from survey_app.domain.audit import AuditAction
from survey_app.extensions import db
from survey_app.models import AuditEvent, User
from survey_app.services.units import unit_by_code
from survey_app.web.staff.audit_log import ACTION_NAMES, PAGE_SIZE

# 17:00 UTC on 24 November is midnight of the 25th in Asia/Ho_Chi_Minh.
MIDNIGHT = datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)


@pytest.fixture
def log(app):
    """Events of Q1 and Q3, by a staff member, an operator, and an admin without a unit."""
    with app.app_context():
        unit_tree(db.session, "HCM > Q1 > P01; HCM > Q3", {"Q1": "UBND Quận 1", "P01": "Phường Bến Nghé", "Q3": "UBND Quận 3"})
        db.session.commit()
    add_user(app, "lan@q1.gov.vn", "staff", "P01")
    add_user(app, "admin@hcm.gov.vn", "admin", None)
    with app.app_context():
        from survey_app.services.audit import record

        lan = db.session.scalar(select(User).where(User.email == "lan@q1.gov.vn"))
        record(db.session, "cli:root", AuditAction.UNITS_IMPORT, now=MIDNIGHT - timedelta(hours=5),
               created=4, updated=0)
        record(db.session, lan, AuditAction.SLIPS_PRINT, lan.unit, now=MIDNIGHT - timedelta(seconds=1),
               count=30, procedure="<b>1.001</b>")
        record(db.session, lan, AuditAction.POSTER_PRINT, unit_by_code(db.session, "Q3"), now=MIDNIGHT,
               size="A4")
        db.session.commit()
    return app


def audit_page(client, **query):
    return client.get("/staff/audit", query_string={"lang": "en", **query})


def event_ids(app) -> list[int]:
    """Ids newest first."""
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.occurred_at.desc())))


def test_an_admin_reads_every_event_newest_first(log, client):
    log_in(client, "admin@hcm.gov.vn")
    page = audit_page(client)
    assert page.status_code == 200
    html = Page(page.get_data(as_text=True))
    sign_in, poster, slips, units_import = event_ids(log)
    assert html.row_ids("event-") == [f"event-{i}" for i in (sign_in, poster, slips, units_import)]
    assert html.row(f"event-{poster}") == ["2026-11-25 00:00:00", "lan@q1.gov.vn", "Counter poster printed",
                                           "UBND Quận 3 (Q3)", "Size: A4"]
    # Detail values are text, escaped like everything else.
    assert html.row(f"event-{slips}") == ["2026-11-24 23:59:59", "lan@q1.gov.vn", "Invitation slips printed",
                                          "Phường Bến Nghé (P01)", "Number: 30 · Procedure code: <b>1.001</b>"]
    assert "&lt;b&gt;1.001&lt;/b&gt;" in html.html
    assert html.row(f"event-{units_import}") == ["2026-11-24 19:00:00", "cli:root", "Units imported", "",
                                                 "Created: 4 · Updated: 0"]
    assert html.row(f"event-{sign_in}")[1:4] == ["admin@hcm.gov.vn", "Signed in", ""]


def test_from_a_local_day_and_of_one_action(log, client):
    log_in(client, "admin@hcm.gov.vn")
    sign_in, poster, slips, _ = event_ids(log)
    assert Page(audit_page(client, since="2026-11-25").get_data(as_text=True)).row_ids("event-") == [
        f"event-{sign_in}", f"event-{poster}"]
    assert Page(audit_page(client, action="slips.print").get_data(as_text=True)).row_ids("event-") == [
        f"event-{slips}"]
    nothing = audit_page(client, since="2026-11-25", action="slips.print").get_data(as_text=True)
    assert "No event matches." in nothing
    # A date that is none is said so; an unknown action is every action.
    bad = audit_page(client, since="25/11/2026", action="drop table")
    assert bad.status_code == 200
    html = bad.get_data(as_text=True)
    assert "Please give a date as YYYY-MM-DD." in html
    assert len(Page(html).row_ids("event-")) == 4


def test_pages_of_fifty(log, client):
    with log.app_context():
        from survey_app.services.audit import record

        for minute in range(PAGE_SIZE):
            record(db.session, "cli:root", AuditAction.RESPONSES_EXPORT, now=MIDNIGHT + timedelta(minutes=minute + 1),
                   count=minute)
        db.session.commit()
    log_in(client, "admin@hcm.gov.vn")
    ids = event_ids(log)
    first = Page(audit_page(client).get_data(as_text=True))
    assert first.row_ids("event-") == [f"event-{i}" for i in ids[:PAGE_SIZE]]
    assert "Older events" in first.html and "Newer events" not in first.html
    second = Page(audit_page(client, page="2").get_data(as_text=True))
    assert second.row_ids("event-") == [f"event-{i}" for i in ids[PAGE_SIZE:]]
    assert "Newer events" in second.html and "Older events" not in second.html
    for page in ("0", "-1", "x", "²", "99999999999"):
        assert audit_page(client, page=page).status_code == 200


def test_an_admin_with_a_unit_sees_the_events_of_their_scope(log, client):
    add_user(log, "admin@q1.gov.vn", "admin", "Q1")
    log_in(client, "admin@q1.gov.vn")
    html = Page(audit_page(client).get_data(as_text=True))
    sign_in, _, slips, _ = event_ids(log)
    assert html.row_ids("event-") == [f"event-{sign_in}", f"event-{slips}"]


@pytest.mark.parametrize(("role", "unit"), [("officer", None), ("staff", "Q1")])
def test_nobody_else_sees_it(log, client, role, unit):
    log_in(client, add_user(log, f"{role}@hcm.gov.vn", role, unit))
    assert audit_page(client).status_code == 403
    assert "/staff/audit" not in client.get("/staff/?lang=en").get_data(as_text=True)


def test_signed_out_asks_to_sign_in(log, client):
    response = audit_page(client)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_admins_navigation_links_to_it(log, client):
    log_in(client, "admin@hcm.gov.vn")
    assert '<a href="/staff/audit?lang=en">Audit log</a>' in client.get("/staff/?lang=en").get_data(as_text=True)
    assert '<a href="/staff/audit">Nhật ký thao tác</a>' in client.get("/staff/").get_data(as_text=True)


def test_every_action_has_a_name():
    assert set(ACTION_NAMES) == set(AuditAction)
