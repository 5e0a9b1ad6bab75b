"""The audit log in a real browser: an admin reaches it from the account bar, filters it with the
form, and axe finds no serious or critical problem; the Content-Security-Policy is never broken."""

from __future__ import annotations

from accounts import PASSWORD, add_user
from axe_playwright_python.sync_playwright import Axe
from factories import unit_tree
from playwright.sync_api import expect

from survey_app.extensions import db

OFFICE = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False,
          "device_scale_factor": 1, "locale": "vi-VN"}


def test_an_admin_reads_and_filters_the_audit_log(app, live_server, new_context):
    with app.app_context():
        unit_tree(db.session, "Q1 > P01", {"Q1": "UBND Quận 1", "P01": "UBND phường Bến Nghé"})
        db.session.commit()
    add_user(app, "admin@q1.gov.vn", "admin", None)
    context = new_context(**OFFICE)
    context.add_init_script("""
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));
    """)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "admin@q1.gov.vn")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # An event of another kind: a poster (a download, so fetched rather than opened).
    assert page.request.get(f"{live_server}/staff/units/P01/poster.pdf?size=A5").ok

    page.get_by_role("link", name="Nhật ký thao tác").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký thao tác")
    rows = page.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Đã in áp phích tại quầy")
    expect(rows.nth(0)).to_contain_text("Khổ giấy: A5")
    expect(rows.nth(1)).to_contain_text("Đã đăng nhập")

    page.get_by_label("Thao tác", exact=True).select_option("user.sign_in")
    page.get_by_role("button", name="Xem").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("admin@q1.gov.vn")

    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    assert page.evaluate("window.__csp") == []
