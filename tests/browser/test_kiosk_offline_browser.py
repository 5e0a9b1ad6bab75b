"""A kiosk that keeps working offline, in Chromium: its service worker keeps its screens, answers
wait in IndexedDB and reach the server once each when the network returns (the issue's six
steps), even when the server stops in the middle of a sync. Refusals, the full queue, versions:
test_kiosk_offline_refusals_browser.py; the server's side: tests/web/public/test_kiosk_sync.py."""

from __future__ import annotations

import re
import socket
import threading
from datetime import datetime, timezone

from kiosk_offline import KIOSK, LEVELS, SYNCED_MS, answer_quick, given, open_online, queue_of, stored, waiting_line
from playwright.sync_api import expect


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


def test_answers_given_offline_survive_a_restart_and_are_stored_once(app, restartable_server, quick_kiosk,
                                                                        persistent_context):
    server = restartable_server.url
    url = server + quick_kiosk["path"]
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
    records = queue_of(page, quick_kiosk)
    assert sorted(r["fields"][0] for r in records) == sorted(["DV1", str(level)] for level in LEVELS)
    assert stored(app) == []

    # 4. Online: exactly the five, each at the time it was given, and nothing waits any more.
    back_online = datetime.now(timezone.utc)
    restartable_server.start()
    context.set_offline(False)
    expect(page.locator(".kiosk-status")).to_be_hidden(timeout=SYNCED_MS)
    assert queue_of(page, quick_kiosk) == []
    rows = stored(app)
    assert [(key, at) for key, at, _ in rows] == sorted(((r["key"], given(r)) for r in records),
                                                        key=lambda row: row[1])
    assert all(at < back_online <= received for _, at, received in rows)

    # 5. The same queue sent again, as the kiosk sends it: each already stored, still five.
    replay = page.evaluate("""([id, records]) => KioskQueue(id).send(records, {
        url: document.querySelector('.kiosk-status').dataset.syncUrl,
        kioskKey: new URLSearchParams(location.search).get('key')})""", [quick_kiosk["public_id"], records])
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


def test_a_sync_of_fifty_cut_off_by_the_server_stopping_stores_each_once(app, restartable_server, quick_kiosk,
                                                                         new_context):
    app.config.update(KIOSK_SYNC_SECONDS=1)
    cut = CutOff(app, nth=3, stop=restartable_server.stop)
    context = new_context(**KIOSK)
    page = context.new_page()
    open_online(page, restartable_server.url + quick_kiosk["path"])
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
    }""", quick_kiosk["public_id"])
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
