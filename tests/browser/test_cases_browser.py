"""Closing the loop in a real browser (issue 18): a citizen on a 360 px phone asks for a reply by
e-mail, confirms it through the message the test's SMTP server received, the unit's staff
acknowledge and answer it with a cause, the citizen rates the answer through its link, and the
officer's /reports/cases counts it answered within the deadline with its rating. axe finds no
serious problem on any of these pages; the form works without JavaScript and on a kiosk, whose
idle reset clears it."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from accounts import PASSWORD, add_user
from axe_playwright_python.sync_playwright import Axe
from case_steps import send_outbox
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Case, Unit
from survey_app.services.kiosks import register_kiosk

OFFICE = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False, "locale": "vi-VN"}
KIOSK = {"viewport": {"width": 800, "height": 1280}, "device_scale_factor": 1, "is_mobile": False,
         "has_touch": True, "locale": "vi-VN"}
CSP_WATCH = """
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));
"""


def serious(page: Page) -> list[tuple[str, list]]:
    return [(v["id"], [n["target"] for n in v["nodes"]])
            for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def link_in(received, path: str) -> str:
    body = received.message.get_body(("plain",)).get_content()
    match = re.search(rf"https?://\S+{path}\S+", body)
    assert match, body
    return match.group(0)


def sign_in(context, live_server: str, email: str) -> Page:
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


@pytest.fixture
def loop(app, unit):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False  # the test sends the outbox itself, when it wants
    add_user(app, "staff@p01.gov.vn", "staff", unit)
    add_user(app, "officer@p01.gov.vn", "officer", unit)


def test_the_loop_from_a_phone_to_the_officers_figures(app, live_server, unit, loop, new_context, smtp_server):
    phone = new_context()
    phone.add_init_script(CSP_WATCH)
    page = phone.new_page()
    # 1. The citizen answers on a 360 px phone, and asks for a reply with an e-mail address.
    page.goto(f"{live_server}/u/{unit}")
    page.locator("#q-TC1 label.option").filter(has=page.get_by_text("Hài lòng", exact=True)).click()
    page.get_by_role("button", name="Gửi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin cảm ơn")
    page.get_by_role("link", name="Ông/Bà có muốn được phản hồi không?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ông/Bà có muốn được phản hồi không?")
    assert serious(page) == [] and no_horizontal_scroll(page)
    page.get_by_label("Điều gì đã xảy ra?").fill("Tôi phải nộp thêm bản sao không có trong danh mục.")
    page.get_by_label("Địa chỉ e-mail").fill("lan.nguyen@example.vn")
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator(".error-summary")).to_contain_text("Vui lòng đồng ý")  # the consent is explicit
    page.get_by_label("Tôi đồng ý để thông tin liên hệ được lưu như mô tả ở trên.").check()
    page.get_by_role("button", name="Gửi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yêu cầu đã được tiếp nhận")
    number = page.locator(".case-number").inner_text()
    assert re.fullmatch(r"PA-\d{4}-\d{6}", number)
    assert serious(page) == [] and no_horizontal_scroll(page)

    # 2. The SMTP server receives the confirmation; the citizen confirms.
    send_outbox(app)
    (confirmation,) = smtp_server.received
    assert confirmation.rcpt_tos == ["lan.nguyen@example.vn"] and number in confirmation.message["Subject"]
    page.goto(link_in(confirmation, "/cases/confirm/"))
    assert serious(page) == []
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yêu cầu đã được xác nhận")
    expect(page.locator(".case-number")).to_have_text(number)

    # 3. The unit's staff acknowledge the case and answer it with a cause.
    office = new_context(**OFFICE)
    office.add_init_script(CSP_WATCH)
    staff = sign_in(office, live_server, "staff@p01.gov.vn")
    staff.goto(f"{live_server}/staff/cases")
    assert serious(staff) == []
    staff.get_by_role("link", name=number).click()
    expect(staff.locator(".case-contact")).to_have_text("lan.nguyen@example.vn")
    staff.get_by_role("button", name="Tiếp nhận xử lý").click()
    expect(staff.locator(".case-status")).to_contain_text("Đã tiếp nhận xử lý")
    assert serious(staff) == []
    staff.get_by_label("Trả lời người dân").fill("Đơn vị đã chấn chỉnh việc yêu cầu thêm giấy tờ. Xin lỗi Ông/Bà.")
    staff.get_by_label("Nguyên nhân").select_option("procedure")
    staff.get_by_role("button", name="Gửi câu trả lời").click()
    expect(staff.locator(".case-status")).to_contain_text("Đã trả lời")
    expect(staff.locator(".case-history")).to_contain_text("staff@p01.gov.vn")

    # 4. The SMTP server receives the answer's link; the citizen opens it and rates the answer.
    send_outbox(app)
    answer = smtp_server.received[-1]
    assert len(smtp_server.received) == 2 and answer.rcpt_tos == ["lan.nguyen@example.vn"]
    page.goto(link_in(answer, "/cases/answer/"))
    expect(page.locator(".case-answer")).to_contain_text("Đơn vị đã chấn chỉnh")
    assert serious(page) == [] and no_horizontal_scroll(page)
    page.get_by_text("Đã giải quyết", exact=True).click()
    page.locator("fieldset").filter(has_text="đánh giá").get_by_text("4", exact=True).click()
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator(".intro")).to_contain_text("đã được ghi nhận")
    staff.reload()
    expect(staff.locator(".case-status")).to_contain_text("Đã đóng")
    expect(staff.locator(".case-contact")).to_have_count(0)  # closed: the contact is no longer shown
    expect(staff.locator(".case-messages")).to_contain_text("sent")

    # 5. The officer's /reports/cases counts it answered within the deadline, with its rating.
    today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date().isoformat()
    officer = sign_in(new_context(**OFFICE), live_server, "officer@p01.gov.vn")
    officer.goto(f"{live_server}/reports/cases?from={today}&to={today}")
    row = officer.locator(f"#cases-{unit}")
    expect(row).to_contain_text("100,0%")
    expect(row).to_contain_text("4,00 (n = 1)")
    assert serious(officer) == []
    assert page.evaluate("window.__csp") == [] and staff.evaluate("window.__csp") == []
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert (case.number, case.status, case.rating, case.resolution, case.cause) == (number, "closed", 4, "yes",
                                                                                        "procedure")


def test_the_reply_form_works_without_javascript(app, live_server, unit, loop, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server}/u/{unit}/reply")
    page.get_by_label("Điều gì đã xảy ra?").fill("Không có ghế chờ.")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Tôi đồng ý để thông tin liên hệ được lưu như mô tả ở trên.").check()
    page.get_by_role("button", name="Gửi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yêu cầu đã được tiếp nhận")
    with app.app_context():
        assert db.session.scalar(select(Case)).confirmed


def test_a_kiosk_forgets_a_reply_request_left_idle(app, live_server, unit, loop, new_context):
    app.config["KIOSK_IDLE_SECONDS"] = 2
    with app.app_context():
        made, key = register_kiosk(db.session, unit=db.session.scalar(select(Unit).where(Unit.code == unit)),
                                   name="Quầy 1", now=datetime.now(timezone.utc))
        db.session.commit()
        public_id = made.public_id
    page = new_context(**KIOSK).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/k/{public_id}/thanks?key={key}")
    page.get_by_role("link", name="Ông/Bà có muốn được phản hồi không?").click()
    expect(page).to_have_url(re.compile(rf"/k/{public_id}/reply\?key="))
    assert serious(page) == []
    box = page.get_by_label("Số điện thoại di động").bounding_box()
    assert box["height"] >= 48  # touch-sized
    page.get_by_label("Điều gì đã xảy ra?").fill("Máy lấy số hỏng.")
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    # Left alone: back to the kiosk's first screen, nothing kept.
    expect(page).to_have_url(re.compile(rf"/k/{public_id}\?key="), timeout=8_000)
    # The filled-in form was replaced in the history: Back does not bring it to the next citizen.
    page.go_back()
    expect(page).not_to_have_url(re.compile("/reply"))
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(Case)) is None
