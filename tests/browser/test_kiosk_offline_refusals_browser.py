"""An offline kiosk in Chromium, what it refuses and how it follows changes: an answer too old
and a revoked kiosk's queue refused with their reasons shown to staff, a full queue that stops
the survey (with axe and the unchanged CSP on its screens), a new questionnaire version followed
online and kept offline, an answer the server finds invalid shown again with its problem."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

from axe_playwright_python.sync_playwright import Axe
from kiosk_offline import KIOSK, SYNCED_MS, answer_quick, open_online, queue_of, stored, waiting_line
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.domain.catalog import load_catalog
from survey_app.extensions import db
from survey_app.models import Kiosk, Response
from survey_app.services.kiosks import revoke_kiosk
from survey_app.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import PROJECT_ROOT


def test_an_answer_too_old_and_a_revoked_kiosks_queue_are_refused_with_reasons(app, restartable_server, quick_kiosk,
                                                                               new_context):
    context = new_context(**KIOSK)
    page = context.new_page()
    open_online(page, restartable_server.url + quick_kiosk["path"])
    context.set_offline(True)
    answer_quick(page, 2)
    answer_quick(page, 2)
    # The first one waited twenty days (the device was put away, offline).
    page.evaluate("""async id => {
        const queue = KioskQueue(id);
        const [first] = await queue.waiting();
        await queue.add(Object.assign({}, first, {given_at: new Date(Date.now() - 20 * 86400000).toISOString()}));
    }""", quick_kiosk["public_id"])
    context.set_offline(False)
    status = page.locator(".kiosk-status")
    expect(status.locator(".kiosk-refused-count")).to_have_text("1 phiếu không gửi được:", timeout=SYNCED_MS)
    expect(status.locator(".kiosk-refused li")).to_have_text(
        "Trả lời cách đây hơn 14 ngày mới gửi được: quá cũ để được tính. (1)")
    expect(waiting_line(page)).to_have_text("")
    assert len(stored(app)) == 1

    # Revoked while two more answers wait: the whole queue is refused, and staff see why.
    context.set_offline(True)
    answer_quick(page, 3)
    answer_quick(page, 1)
    expect(waiting_line(page)).to_have_text("2 phiếu chờ gửi")
    with app.app_context():
        revoke_kiosk(db.session, db.session.get(Kiosk, quick_kiosk["id"]), now=datetime.now(timezone.utc))
        db.session.commit()
    context.set_offline(False)
    expect(status.locator(".kiosk-refused-count")).to_have_text("3 phiếu không gửi được:", timeout=SYNCED_MS)
    expect(status.locator(".kiosk-refused li", has_text="thu hồi")).to_have_text(
        "Kiosk này đã bị thu hồi: không gửi được các phiếu đang chờ trên máy. "
        "Vui lòng báo cán bộ quản lý kiosk. (2)")
    expect(waiting_line(page)).to_have_text("")
    assert len(stored(app)) == 1
    # The kiosk opens no more, and its page still tells staff about the answers refused.
    response = page.reload()
    assert response.status == 403
    expect(page.locator("h1:visible")).to_have_text("Xin lỗi")
    expect(status.locator(".kiosk-refused-count")).to_have_text("3 phiếu không gửi được:")


def test_a_full_queue_stops_the_survey_and_the_screens_pass_axe_under_the_same_policy(
        app, restartable_server, quick_kiosk, new_context):
    app.config.update(KIOSK_QUEUE_MAX=2)
    context = new_context(**KIOSK)
    violations: list[str] = []
    context.add_init_script("""document.addEventListener('securitypolicyviolation',
        e => console.log('CSP ' + e.violatedDirective + ' ' + e.blockedURI));""")
    page = context.new_page()
    page.on("console", lambda message: violations.append(message.text) if "CSP" in message.text else None)
    response = page.goto(restartable_server.url + quick_kiosk["path"])
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    expect(page.locator("html[data-offline-ready]")).to_have_count(1)
    worker = page.request.get(restartable_server.url + "/k/service-worker.js")
    assert worker.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    context.set_offline(True)
    answer_quick(page, 3)
    expect(waiting_line(page)).to_have_text("1 phiếu chờ gửi")
    serious = ("serious", "critical")
    for screen in ("start with one waiting", "full"):
        problems = [(v["id"], [n["target"] for n in v["nodes"]])
                    for v in Axe().run(page).response["violations"] if v["impact"] in serious]
        assert problems == [], screen
        if screen != "full":
            answer_quick(page, 2)
    # Two waiting, the most it may hold: it says it is offline and offers no survey.
    expect(page.locator(".kiosk-full h1")).to_have_text("Kiosk này đang mất kết nối")
    expect(page.locator("#kiosk-form")).to_be_hidden()
    context.set_offline(False)
    expect(page.locator("#kiosk-form")).to_be_visible(timeout=SYNCED_MS)
    expect(page.locator(".kiosk-full")).to_be_hidden()
    assert len(stored(app)) == 2
    assert violations == []


def test_a_new_questionnaire_version_is_followed_when_online_and_kept_offline(app, restartable_server, quick_kiosk,
                                                                              new_context, tmp_path):
    context = new_context(**KIOSK)
    page = context.new_page()
    url = restartable_server.url + quick_kiosk["path"]
    open_online(page, url)
    expect(page.locator(".kiosk-title")).to_have_text("Đánh giá nhanh")
    # The file is edited (a new title) and the app restarted with it.
    directory = tmp_path / "questionnaires"
    shutil.copytree(PROJECT_ROOT / "questionnaires", directory)
    quick_file = directory / "quick.yaml"
    quick_file.write_text(quick_file.read_text(encoding="utf-8").replace("vi: Đánh giá nhanh", "vi: Đánh giá"),
                          encoding="utf-8")
    app.extensions["survey_catalog"] = load_catalog(directory, "sipas")
    new_hash = app.extensions["survey_catalog"].get("quick").content_hash
    page.reload()
    expect(page.locator(".kiosk-title")).to_have_text("Đánh giá")
    expect(page.locator("html[data-offline-ready]")).to_have_count(1)
    context.set_offline(True)
    page.reload()
    expect(page.locator(".kiosk-title")).to_have_text("Đánh giá")
    answer_quick(page, 3)
    (record,) = queue_of(page, quick_kiosk)
    assert record["hash"] == new_hash
    context.set_offline(False)
    expect(page.locator(".kiosk-status")).to_be_hidden(timeout=SYNCED_MS)
    with app.app_context():
        assert db.session.scalar(select(Response.questionnaire_hash)) == new_hash


def test_an_answer_the_server_finds_invalid_is_shown_again_with_its_problem(app, restartable_server, quick_kiosk,
                                                                            new_context):
    page = new_context(**KIOSK).new_page()
    open_online(page, restartable_server.url + quick_kiosk["path"].replace("&q=quick", ""))
    # Four improvements chosen where three at most are allowed: the screens do not check that.
    page.evaluate("""() => {
        document.querySelectorAll('fieldset[data-required]').forEach(f => f.querySelector('input').checked = true);
        document.querySelectorAll('#q-expectations input').forEach((input, i) => input.checked = i < 4);
    }""")
    page.locator("#kiosk-form").evaluate("form => form.requestSubmit(form.querySelector('.kiosk-send'))")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#q-expectations .error")).to_have_text("Vui lòng chọn tối đa 3 nội dung.")
    assert stored(app) == []
    # Posted plainly, it left neither the queue nor the refused answers holding it.
    page.wait_for_load_state("domcontentloaded")
    assert queue_of(page, quick_kiosk) == []
    assert page.evaluate("id => KioskQueue(id).refused()", quick_kiosk["public_id"]) == []
