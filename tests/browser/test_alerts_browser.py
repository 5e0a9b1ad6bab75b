"""/reports/alerts in Chromium: an officer of the demo province reads its signals and their
charts, follows one to its unit page; axe finds no serious or critical problem on either."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from accounts import PASSWORD, add_user
from playwright.sync_api import expect
from test_officer_browser import OFFICE, serious_violations

from survey_app import catalog_of
from survey_app.extensions import db
from survey_app.services import demo


def test_an_officer_reads_the_early_warning(app, live_server, new_context, runner):
    with app.app_context():
        demo.create_demo(db.session, catalog_of(app), responses=12000, seed=2017,
                         now=datetime.now(ZoneInfo(app.config["TIMEZONE"])))
        db.session.commit()
    add_user(app, "canbo@anphu.gov.vn", "officer", None)
    signalling = [u for u in json.loads(runner.invoke(args=["alerts", "--format", "json"]).output)["units"]
                  if u["signal"]]
    page = new_context(**OFFICE).new_page()
    page.goto(f"{live_server}/login?next=/reports/alerts")
    page.get_by_label("Thư điện tử").fill("canbo@anphu.gov.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{live_server}/reports/alerts")
    expect(page.get_by_role("heading", name="Cảnh báo sớm", exact=True)).to_be_visible()
    items = page.locator("ol.alerts > li")
    expect(items).to_have_count(len(signalling))
    for i, u in enumerate(signalling):
        expect(items.nth(i).get_by_role("heading")).to_contain_text(u["name"])
        expect(items.nth(i).get_by_role("img")).to_be_visible()
    assert serious_violations(page) == []

    first = signalling[0]
    items.nth(0).get_by_role("link", name=first["name"]).click()
    expect(page.locator("#early-warning")).to_contain_text(f"{first['weeks_signalling']} tuần liên tiếp")
    assert serious_violations(page) == []
