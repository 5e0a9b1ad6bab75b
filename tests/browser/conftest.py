"""Browser fixtures: Debian's Chromium driven by Playwright (sync API), on a phone-sized viewport.

The browser is the system one (``/usr/bin/chromium``); ``playwright install`` is never needed.
A test gets a fresh context (cookies, storage) and page; the browser is shared by the session.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.kiosks import register_kiosk

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A cheap Android phone: the survey's main screen.
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "vi-VN"}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def playwright() -> Playwright:
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright) -> Browser:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def persistent_context(playwright, tmp_path):
    """Open a browser whose storage (IndexedDB, service workers, caches) lives in a folder of
    the test's: closed and opened again, it finds what it kept, as after a power cut."""
    opened: list[BrowserContext] = []

    def launch(**options) -> BrowserContext:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            **{**PHONE, **options})
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield launch
    for context in opened:
        context.close()


@pytest.fixture
def new_context(browser):
    """Make more phone contexts (e.g. with JavaScript off); all are closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        context = browser.new_context(**{**PHONE, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


@pytest.fixture
def quick_kiosk(app, unit) -> dict:
    """A kiosk of ``unit`` on the quick questionnaire, its thank-you screen kept a minute: its
    id, public id and address."""
    app.config.update(KIOSK_THANKS_SECONDS=60)
    with app.app_context():
        made, key = register_kiosk(db.session, unit=db.session.scalar(select(Unit).where(Unit.code == unit)),
                                   name="Quầy 1", now=datetime.now(timezone.utc))
        db.session.commit()
        return {"id": made.id, "public_id": made.public_id, "path": f"/k/{made.public_id}?key={key}&q=quick"}


@pytest.fixture
def unit(app) -> str:
    """A unit to survey; its code."""
    with app.app_context():
        db.session.add(Unit(code="P01", name="UBND phường Bến Nghé"))
        db.session.commit()
    return "P01"


class RestartableServer:
    """The app served over HTTP on one port that survives a stop: stopped, the address refuses
    connections; started again, it is the same origin (same service worker, same storage)."""

    def __init__(self, app):
        self.app = app
        self.port = 0
        self.server = None
        self.thread = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()
            self.server = None


@pytest.fixture
def restartable_server(app):
    server = RestartableServer(app)
    yield server
    server.stop()
