"""Browser fixtures: Debian's Chromium driven by Playwright (sync API), on a phone-sized viewport.

The browser is the system one (``/usr/bin/chromium``); ``playwright install`` is never needed.
A test gets a fresh context (cookies, storage) and page; the browser is shared by the session.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from survey_app.extensions import db
from survey_app.models import Unit

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
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


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
def unit(app) -> str:
    """A unit to survey; its code."""
    with app.app_context():
        db.session.add(Unit(code="P01", name="UBND phường Bến Nghé"))
        db.session.commit()
    return "P01"
