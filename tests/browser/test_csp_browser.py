"""With the Content-Security-Policy on, Chromium reports no violation on any kind of page: the
citizen's survey, the kiosk, the staff pages and the officers' pages with their SVG charts."""

from __future__ import annotations

import report_province
from accounts import PASSWORD, add_user
from factories import kiosk
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit

OFFICE = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False,
          "device_scale_factor": 1, "locale": "vi-VN"}


def test_no_page_breaks_the_policy(app, live_server, new_context):
    report_province.build(app)
    with app.app_context():
        made, key = kiosk(db.session, db.session.scalar(select(Unit).where(Unit.code == "STP")))
        db.session.commit()
        kiosk_url = f"/k/{made.public_id}?key={key}"
    add_user(app, "officer@binhan.gov.vn", "officer", "TINH")
    context = new_context(**OFFICE)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    # Every violation also fires this event in the page: kept where the test can read it.
    context.add_init_script("""
        window.__csp = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    """)

    def visit(path: str) -> None:
        response = page.goto(f"{live_server}{path}")
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        page.wait_for_load_state("load")
        violations.extend(page.evaluate("window.__csp"))

    for path in ("/", "/u/STP", "/u/STP?lang=en", kiosk_url, "/no-such-page"):
        visit(path)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "officer@binhan.gov.vn")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    period = f"from={report_province.FROM}&to={report_province.TO}"
    for path in ("/staff/", "/staff/invitations", f"/reports/?{period}", f"/reports/units/STP?{period}",
                 f"/reports/units/X2?{period}&page=2"):
        visit(path)
        assert page.locator("body").count() == 1
    assert page.locator("svg").count() >= 1  # the unit page's charts were drawn
    assert violations == []
