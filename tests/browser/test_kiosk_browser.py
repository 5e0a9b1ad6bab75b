"""The kiosk in a real browser (Chromium) on a portrait touch screen: one element per screen with
its progress, the thank-you screen that returns to the start, the idle reset that forgets
every partial answer, and the plain single form without JavaScript."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response, Unit
from survey_app.services.kiosks import register_kiosk

# A 10" portrait kiosk tablet.
KIOSK = {"viewport": {"width": 800, "height": 1280}, "device_scale_factor": 1, "is_mobile": False,
         "has_touch": True, "locale": "vi-VN"}
SCREENS = 7  # five elements, the expectations, "about you" with the comment box


@pytest.fixture
def kiosk(app, unit) -> dict:
    with app.app_context():
        unit_row = db.session.scalar(select(Unit).where(Unit.code == unit))
        made, key = register_kiosk(db.session, unit=unit_row, name="Quầy 1",
                                   now=datetime.now(timezone.utc))
        db.session.commit()
        return {"id": made.id, "path": f"/k/{made.public_id}?key={key}"}


@pytest.fixture
def kiosk_page(new_context) -> Page:
    """A page on the kiosk screen; the test fails if the kiosk's script raises an error."""
    page = new_context(**KIOSK).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == []


def stored(app) -> list[tuple]:
    with app.app_context():
        return [(r.channel, r.kiosk_id, r.unit.code, {a.item_code: a.value for a in r.answers})
                for r in db.session.scalars(select(Response).order_by(Response.id))]


def start_url(live_server: str, kiosk: dict) -> re.Pattern:
    return re.compile(re.escape(live_server + kiosk["path"]) + "$")


def progress(page: Page):
    return page.locator(".kiosk-progress")


def submission_key(page: Page) -> str:
    return page.locator("input[name=submission_key]").input_value()


def test_one_element_per_screen_then_thanks_then_back_to_the_start(app, live_server, kiosk, kiosk_page):
    app.config.update(KIOSK_IDLE_SECONDS=60, KIOSK_THANKS_SECONDS=2)
    page = kiosk_page
    page.goto(live_server + kiosk["path"])
    first_key = submission_key(page)
    back, next_, send = page.locator(".kiosk-back"), page.locator(".kiosk-next"), page.locator(".kiosk-send")

    expect(progress(page)).to_have_text(f"1 / {SCREENS}")
    expect(page.locator(".screen:visible")).to_have_count(1)
    expect(page.locator(".screen:visible h2")).to_have_text("1. Tiếp cận dịch vụ")
    expect(back).to_be_hidden()
    expect(send).to_be_hidden()
    # Large touch targets: the answers and the buttons.
    for target in (page.locator(".screen:visible label.option").first, next_):
        assert target.bounding_box()["height"] >= 64

    expected = {}
    for i in range(SCREENS):
        screen = page.locator(".screen:visible")
        expect(screen).to_have_count(1)
        expect(progress(page)).to_have_text(f"{i + 1} / {SCREENS}")
        fieldsets = screen.locator("fieldset.question")
        for j in range(fieldsets.count()):
            fieldset = fieldsets.nth(j)
            options = fieldset.locator("label.option")
            index = (i + j) % min(options.count(), 5)  # a level of the scale, never "no opinion"
            options.nth(index).tap()
            expect(options.nth(index).locator("input")).to_be_checked()
            name = options.nth(index).locator("input").get_attribute("name")
            if re.fullmatch(r"[A-Z]{2}\d", name):
                expected[name] = index + 1
        if i == 1:  # go back one screen and forward again: the answers are still there
            back.tap()
            expect(progress(page)).to_have_text(f"1 / {SCREENS}")
            expect(page.locator(".screen:visible input:checked")).to_have_count(4)
            next_.tap()
            expect(progress(page)).to_have_text(f"2 / {SCREENS}")
        if i < SCREENS - 1:
            expect(send).to_be_hidden()
            next_.tap()
    assert len(expected) == 22
    expect(next_).to_be_hidden()
    expect(send).to_be_visible()
    assert stored(app) == []

    send.tap()
    expect(page.locator("h1:visible")).to_have_text("Xin cảm ơn")
    assert "/thanks" in page.url
    assert stored(app) == [("kiosk", kiosk["id"], "P01", expected)]

    # By itself, the thank-you screen gives way to a fresh first screen.
    expect(page).to_have_url(start_url(live_server, kiosk), timeout=8_000)
    expect(progress(page)).to_have_text(f"1 / {SCREENS}")
    expect(page.locator("input:checked")).to_have_count(0)
    assert submission_key(page) != first_key


def test_after_the_idle_time_every_partial_answer_is_gone(app, live_server, kiosk, kiosk_page):
    app.config.update(KIOSK_IDLE_SECONDS=2)
    page = kiosk_page
    page.goto(live_server + kiosk["path"])
    first_key = submission_key(page)
    history = page.evaluate("history.length")
    page.locator("#q-TC1 label.option").nth(4).tap()
    page.locator("#q-TC2 label.option").nth(0).tap()
    page.locator(".kiosk-next").tap()
    page.locator("#q-TT1 label.option").nth(2).tap()
    page.locator("#q-TT2 label.option").nth(3).tap()
    expect(progress(page)).to_have_text(f"2 / {SCREENS}")
    expect(page.locator("input:checked")).to_have_count(4)

    # Nobody touches the screen: a fresh form (a new submission key) on the first screen.
    expect(page.locator("input[name=submission_key]")).not_to_have_value(first_key, timeout=8_000)
    expect(progress(page)).to_have_text(f"1 / {SCREENS}")
    expect(page.locator(".screen:visible")).to_have_count(1)
    expect(page.locator(".screen:visible h2")).to_have_text("1. Tiếp cận dịch vụ")
    expect(page.locator("input:checked")).to_have_count(0)
    expect(page).to_have_url(start_url(live_server, kiosk))
    # Back does not bring the answers back either: the reset replaced the page in the history.
    assert page.evaluate("history.length") == history

    # An untouched first screen is left alone (no reload every idle period).
    fresh_key = submission_key(page)
    page.wait_for_timeout(3_000)
    assert submission_key(page) == fresh_key
    assert stored(app) == []


def test_a_required_question_is_asked_for_on_its_own_screen(app, live_server, kiosk, kiosk_page):
    page = kiosk_page
    page.goto(live_server + kiosk["path"] + "&q=quick")
    expect(progress(page)).to_have_text("1 / 2")
    page.locator(".kiosk-next").tap()
    expect(progress(page)).to_have_text("1 / 2")
    expect(page.locator("#q-DV1 .error")).to_have_text("Vui lòng trả lời câu hỏi này.")
    page.locator("#q-DV1 label.option").nth(2).tap()
    page.locator(".kiosk-next").tap()
    expect(progress(page)).to_have_text("2 / 2")
    page.locator(".kiosk-send").tap()
    expect(page.locator("h1:visible")).to_have_text("Xin cảm ơn")
    assert stored(app) == [("kiosk", kiosk["id"], "P01", {"DV1": 3})]


def test_without_javascript_the_kiosk_is_one_form_that_submits(app, live_server, kiosk, new_context):
    app.config.update(KIOSK_THANKS_SECONDS=2)
    page = new_context(**KIOSK, java_script_enabled=False).new_page()
    page.goto(live_server + kiosk["path"])
    expect(page.locator("form")).to_have_count(1)
    expect(page.locator(".screen:visible")).to_have_count(SCREENS)
    for hidden in (".kiosk-back", ".kiosk-next", ".kiosk-progress"):
        expect(page.locator(hidden)).to_be_hidden()

    page.locator("#q-TC1 label.option").nth(4).tap()
    page.locator("#q-KQ3 label.option").nth(1).tap()
    page.get_by_label("Ý kiến khác của Ông/Bà (không bắt buộc)").fill("Không có JavaScript")
    page.locator(".kiosk-send").tap()
    expect(page.locator("h1:visible")).to_have_text("Xin cảm ơn")
    assert stored(app) == [("kiosk", kiosk["id"], "P01", {"TC1": 5, "KQ3": 2})]

    # The meta refresh brings the start back, without any script.
    expect(page).to_have_url(start_url(live_server, kiosk), timeout=8_000)
    expect(page.locator(".screen:visible")).to_have_count(SCREENS)
    expect(page.locator("input:checked")).to_have_count(0)


def test_the_kiosk_screens_have_no_serious_accessibility_problems(app, live_server, kiosk, kiosk_page):
    page = kiosk_page
    page.goto(live_server + kiosk["path"])
    page.locator(".kiosk-next").tap()  # Back, progress and Next all shown
    page.locator("#q-TT1 label.option").nth(1).tap()
    problems = [(v["id"], [n["target"] for n in v["nodes"]])
                for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert problems == []
