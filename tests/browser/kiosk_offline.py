"""What the offline kiosk's browser tests share: the kiosk screen, answering the quick
questionnaire, and reading the kiosk's queue and the responses stored."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response

# How long a kiosk back online may take to send its queue: the network may not be usable at
# the "online" event itself (a retry 2 s later, then 4 s).
SYNCED_MS = 10_000
# The quick questionnaire's levels (1 to 3) given by five citizens.
LEVELS = (1, 2, 3, 3, 2)
KIOSK = {"viewport": {"width": 800, "height": 1280}, "device_scale_factor": 1, "is_mobile": False,
         "has_touch": True, "locale": "vi-VN"}


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
