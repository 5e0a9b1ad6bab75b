"""A kiosk that keeps working offline, in Chromium: its service worker keeps its screens, answers
wait in IndexedDB and reach the server once each when the network returns, even when the server
stops in the middle of a sync. The server's side: tests/web/public/test_kiosk_sync.py."""

from __future__ import annotations

import re
import shutil
import socket
import threading
from datetime import datetime, timedelta, timezone

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.domain.catalog import load_catalog
from survey_app.extensions import db
from survey_app.models import Kiosk, Response, Unit
from survey_app.services.kiosks import register_kiosk, revoke_kiosk
from survey_app.web.security import CONTENT_SECURITY_POLICY

from tests.conftest import PROJECT_ROOT

# How long a kiosk back online may take to send its queue: the network may not be usable at
# the "online" event itself (a retry 2 s later, then 4 s).
SYNCED_MS = 10_000
# The quick questionnaire's levels (1 to 3) given by five citizens.
LEVELS = (1, 2, 3, 3, 2)
KIOSK = {"viewport": {"width": 800, "height": 1280}, "device_scale_factor": 1, "is_mobile": False,
         "has_touch": True, "locale": "vi-VN"}


@pytest.fixture
def kiosk(app, unit) -> dict:
    app.config.update(KIOSK_THANKS_SECONDS=60)
    with app.app_context():
        made, key = register_kiosk(db.session, unit=db.session.scalar(select(Unit).where(Unit.code == unit)),
                                   name="Quầy 1", now=datetime.now(timezone.utc))
        db.session.commit()
        return {"id": made.id, "public_id": made.public_id, "path": f"/k/{made.public_id}?key={key}&q=quick"}


class Requests:
    """Counts the requests that reach the app: none may while the kiosk is offline."""

    def __init__(self, app):
        self.wsgi_app, self.paths = app.wsgi_app, []
        app.wsgi_app = self

    @property
    def count(self) -> int:
        return len(self.paths)

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.wsgi_app(environ, start_response)


def stored(app) -> list[tuple[str, datetime, datetime]]:
    with app.app_context():
        return [(r.submission_key, r.submitted_at, r.received_at) for r in
                db.session.scalars(select(Response).order_by(Response.submitted_at))]


def open_online(page: Page, url: str) -> None:
    page.goto(url)
    # The service worker has kept the kiosk's screens.
    expect(page.locator("html[data-offline-ready]")).to_have_count(1)


def answer_quick(page: Page, level: int) -> None:
    """One citizen answers the quick survey and sees the thank-you screen, then the next one
    starts (the "Start again" button, instead of waiting for the screen to return by itself)."""
    expect(page.locator(".kiosk-progress")).to_have_text("1 / 2")
    page.locator("#q-DV1 label.option").nth(level - 1).tap()
    page.locator(".kiosk-next").tap()
    page.locator(".kiosk-send").tap()
    expect(page.locator("h1:visible")).to_have_text("Xin cảm ơn")
    page.locator(".kiosk-restart").tap()
    expect(page.locator(".kiosk-progress")).to_have_text("1 / 2")


def waiting_line(page: Page):
    return page.locator(".kiosk-status .kiosk-waiting")


def queue_of(page: Page, kiosk: dict) -> list[dict]:
    return page.evaluate("id => KioskQueue(id).waiting()", kiosk["public_id"])


def given(record: dict) -> datetime:
    return datetime.fromisoformat(record["given_at"])


def test_answers_given_offline_survive_a_restart_and_are_stored_once(app, restartable_server, kiosk,
                                                                        persistent_context):
    server = restartable_server.url
    url = server + kiosk["path"]
    requests = Requests(app)

    # 1. Loaded online, then offline.
    context = persistent_context(**KIOSK)
    page = context.new_page()
    open_online(page, url)
    context.set_offline(True)
    offline_from = requests.count

    # 2. Five answers; then a reload: the survey opens and says five are waiting.
    for level in LEVELS:
        answer_quick(page, level)
    expect(waiting_line(page)).to_have_text("5 phiếu chờ gửi")
    page.reload()
    expect(page.locator(".kiosk-progress")).to_have_text("1 / 2")
    expect(waiting_line(page)).to_have_text("5 phiếu chờ gửi")
    assert requests.paths[offline_from:] == []  # all of it from the device
    assert stored(app) == []

    # 3. The browser closed and opened again on the same storage, offline: still five. (Chromium's
    # offline emulation does not hold for a browser's first requests: the server is stopped too.)
    context.close()
    restartable_server.stop()
    context = persistent_context(**KIOSK)
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url)
    expect(waiting_line(page)).to_have_text("5 phiếu chờ gửi")
    records = queue_of(page, kiosk)
    assert sorted(r["fields"][0] for r in records) == sorted(["DV1", str(level)] for level in LEVELS)
    assert stored(app) == []

    # 4. Online: exactly the five, each at the time it was given, and nothing waits any more.
    back_online = datetime.now(timezone.utc)
    restartable_server.start()
    context.set_offline(False)
    expect(page.locator(".kiosk-status")).to_be_hidden(timeout=SYNCED_MS)
    assert queue_of(page, kiosk) == []
    rows = stored(app)
    assert [(key, at) for key, at, _ in rows] == sorted(((r["key"], given(r)) for r in records),
                                                        key=lambda row: row[1])
    assert all(at < back_online <= received for _, at, received in rows)

    # 5. The same queue sent again, as the kiosk sends it: each already stored, still five.
    replay = page.evaluate("""([id, records]) => KioskQueue(id).send(records, {
        url: document.querySelector('.kiosk-status').dataset.syncUrl,
        kioskKey: new URLSearchParams(location.search).get('key')})""", [kiosk["public_id"], records])
    assert sorted(r["status"] for r in replay["results"]) == ["already_stored"] * 5
    assert stored(app) == rows


class CutOff:
    """Stops the server in the middle of a sync: the ``nth`` sync request is handled in full
    (stored and committed), then the server stops (``stop``: no connection is taken any more)
    and the request's own connection is cut before any reply; ``cut`` is set."""

    def __init__(self, app, nth: int, stop):
        self.wsgi_app, self.nth, self.stop, self.seen, self.cut = app.wsgi_app, nth, stop, 0, threading.Event()
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        if not environ["PATH_INFO"].endswith("/sync"):
            return self.wsgi_app(environ, start_response)
        self.seen += 1
        if self.seen != self.nth:
            return self.wsgi_app(environ, start_response)
        b"".join(self.wsgi_app(environ, lambda *args: None))
        self.stop()
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        self.cut.set()
        start_response("200 OK", [])
        return []


def test_a_sync_of_fifty_cut_off_by_the_server_stopping_stores_each_once(app, restartable_server, kiosk,
                                                                         new_context):
    app.config.update(KIOSK_SYNC_SECONDS=1)
    cut = CutOff(app, nth=3, stop=restartable_server.stop)
    context = new_context(**KIOSK)
    page = context.new_page()
    open_online(page, restartable_server.url + kiosk["path"])
    context.set_offline(True)
    answer_quick(page, 3)
    # Forty-nine more like it, as the kiosk's queue keeps them, given over the last hours.
    page.evaluate("""async id => {
        const queue = KioskQueue(id);
        const [first] = await queue.waiting();
        for (let i = 1; i < 50; i++) {
            await queue.add(Object.assign({}, first, {key: first.key.slice(0, 20) + String(i).padStart(4, '0'),
                given_at: new Date(Date.parse(first.given_at) - i * 240000).toISOString()}));
        }
    }""", kiosk["public_id"])
    expect(waiting_line(page)).to_have_text("50 phiếu chờ gửi")

    context.set_offline(False)
    assert cut.cut.wait(20)
    # Two batches confirmed, the third stored but never confirmed: it still waits on the kiosk.
    stored_when_stopped = len(stored(app))
    assert stored_when_stopped == 24
    expect(waiting_line(page)).to_have_text(re.compile(r"^(34|42) phiếu chờ gửi$"))
    page.wait_for_timeout(1500)  # the kiosk tries again meanwhile, and finds no server
    restartable_server.start()
    expect(page.locator(".kiosk-status")).to_be_hidden(timeout=15_000)
    keys = [key for key, _, _ in stored(app)]
    assert len(keys) == len(set(keys)) == 50


def test_an_answer_too_old_and_a_revoked_kiosks_queue_are_refused_with_reasons(app, restartable_server, kiosk,
                                                                               new_context):
    context = new_context(**KIOSK)
    page = context.new_page()
    open_online(page, restartable_server.url + kiosk["path"])
    context.set_offline(True)
    answer_quick(page, 2)
    answer_quick(page, 2)
    # The first one waited twenty days (the device was put away, offline).
    page.evaluate("""async id => {
        const queue = KioskQueue(id);
        const [first] = await queue.waiting();
        await queue.add(Object.assign({}, first, {given_at: new Date(Date.now() - 20 * 86400000).toISOString()}));
    }""", kiosk["public_id"])
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
        revoke_kiosk(db.session, db.session.get(Kiosk, kiosk["id"]), now=datetime.now(timezone.utc))
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
        app, restartable_server, kiosk, new_context):
    app.config.update(KIOSK_QUEUE_MAX=2)
    context = new_context(**KIOSK)
    violations: list[str] = []
    context.add_init_script("""document.addEventListener('securitypolicyviolation',
        e => console.log('CSP ' + e.violatedDirective + ' ' + e.blockedURI));""")
    page = context.new_page()
    page.on("console", lambda message: violations.append(message.text) if "CSP" in message.text else None)
    response = page.goto(restartable_server.url + kiosk["path"])
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


def test_a_new_questionnaire_version_is_followed_when_online_and_kept_offline(app, restartable_server, kiosk,
                                                                              new_context, tmp_path):
    context = new_context(**KIOSK)
    page = context.new_page()
    url = restartable_server.url + kiosk["path"]
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
    (record,) = queue_of(page, kiosk)
    assert record["hash"] == new_hash
    context.set_offline(False)
    expect(page.locator(".kiosk-status")).to_be_hidden(timeout=SYNCED_MS)
    with app.app_context():
        assert db.session.scalar(select(Response.questionnaire_hash)) == new_hash


def test_an_answer_the_server_finds_invalid_is_shown_again_with_its_problem(app, restartable_server, kiosk,
                                                                            new_context):
    page = new_context(**KIOSK).new_page()
    open_online(page, restartable_server.url + kiosk["path"].replace("&q=quick", ""))
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
    assert queue_of(page, kiosk) == []
    assert page.evaluate("id => KioskQueue(id).refused()", kiosk["public_id"]) == []
