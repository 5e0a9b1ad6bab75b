"""The citizen's survey in a real browser on a 360 px phone: touch targets, layout, no-JS, axe."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from factories import criteria_codes, sipas
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response

CRITERIA = criteria_codes(sipas())
# The label a citizen taps for each criterion (cycling through the scale and "no opinion").
LABELS = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng",
          "Không có ý kiến"]
VALUES = [1, 2, 3, 4, 5, 0]


def stored(app) -> list[dict]:
    with app.app_context():
        return [
            {"answers": {a.item_code: a.value for a in r.answers},
             "choices": sorted((c.question_code, c.option_code) for c in r.choices),
             "comment": r.comment, "locale": r.locale, "channel": r.channel,
             "questionnaire": r.questionnaire_id, "unit": r.unit.code}
            for r in db.session.scalars(select(Response).order_by(Response.id))
        ]


def option(page: Page, code: str, label: str):
    """The label box of one answer of one question."""
    return page.locator(f"#q-{code} label.option").filter(
        has=page.get_by_text(label, exact=True))


def serious_violations(page: Page) -> list[dict]:
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


# ----------------------------------------------------------------------------- answering

def test_a_citizen_answers_on_a_phone_by_tapping_the_labels(app, live_server, unit, page):
    page.goto(f"{live_server}/u/P01")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    expected = {}
    for i, code in enumerate(CRITERIA):
        target = option(page, code, LABELS[i % 6])
        if i % 2:
            target.get_by_text(LABELS[i % 6], exact=True).click()  # the words
        else:
            box = target.bounding_box()  # the far right of the box, away from words and radio
            target.click(position={"x": box["width"] - 6, "y": box["height"] / 2})
        expected[code] = VALUES[i % 6]
        expect(page.locator(f"input[name={code}][value='{VALUES[i % 6]}']")).to_be_checked()

    option(page, "expectations", "Tiếp tục đơn giản hóa thủ tục hành chính").click()
    option(page, "expectations", "Nâng cao thái độ phục vụ của công chức").click()
    option(page, "gender", "Nữ").click()
    option(page, "submission_channel", "Trực tuyến").click()
    page.get_by_label("Ý kiến khác của Ông/Bà (không bắt buộc)").fill("Phòng chờ\nhơi chật")
    assert stored(app) == []

    page.get_by_role("button", name="Gửi").click()

    expect(page).to_have_url(re.compile(r"/u/P01/thanks\?lang=vi$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin cảm ơn")
    assert stored(app) == [{
        "answers": expected,
        "choices": [("expectations", "MD2"), ("expectations", "MD4"), ("gender", "female"),
                    ("submission_channel", "online")],
        "comment": "Phòng chờ\nhơi chật", "locale": "vi", "channel": "link",
        "questionnaire": "sipas", "unit": "P01",
    }]


def test_a_second_tap_on_send_counts_once(app, live_server, unit, page):
    page.goto(f"{live_server}/u/P01?q=quick")
    option(page, "DV1", "Hài lòng").click()
    # The same filled-in form sent twice (a double tap, or a retry after a timeout).
    data = page.evaluate("Object.fromEntries(new FormData(document.querySelector('form')))")
    for _ in range(2):
        response = page.request.post(f"{live_server}/u/P01?q=quick", form=data, max_redirects=0)
        assert response.status == 302
    assert [r["answers"] for r in stored(app)] == [{"DV1": 3}]


# ----------------------------------------------------------------------------- layout

def test_no_horizontal_scroll_at_360px(live_server, unit, page):
    widths = {}
    for path in ("/u/P01", "/u/P01?lang=en", "/u/P01?q=quick", "/u/P01/thanks", "/u/NOPE"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.clientWidth") == 360
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    # And a page with errors (the summary, red borders, messages).
    page.goto(f"{live_server}/u/P01?q=quick")
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator("#error-summary")).to_be_visible()
    widths["errors"] = page.evaluate("document.documentElement.scrollWidth")
    assert {path: width for path, width in widths.items() if width > 360} == {}


def test_every_answer_is_a_large_target(live_server, unit, page):
    page.goto(f"{live_server}/u/P01")
    boxes = page.evaluate("""() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
        .map(input => {
            const label = input.closest('label');
            const box = label ? label.getBoundingClientRect() : null;
            return {id: input.id, type: input.type, labelled: !!label && label.htmlFor === input.id,
                    height: box ? box.height : 0, width: box ? box.width : 0};
        })""")
    assert len([b for b in boxes if b["type"] == "radio"]) == 22 * 6 + 3 + 5 + 2 + 6 + 7 + 2 + 3
    assert len([b for b in boxes if b["type"] == "checkbox"]) == 6
    small = [b for b in boxes if not b["labelled"] or b["height"] < 44 or b["width"] < 240]
    assert small == [], small[:5]
    assert min(b["height"] for b in boxes) >= 44
    # The language switch and the Send button are large too.
    for target in (page.get_by_role("link", name="English"), page.get_by_role("button", name="Gửi")):
        assert target.bounding_box()["height"] >= 44


def test_the_language_switch(live_server, unit, page):
    page.goto(f"{live_server}/u/P01")
    expect(page.get_by_role("button")).to_have_text("Gửi")
    page.get_by_role("navigation", name="Ngôn ngữ").get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"/u/P01\?lang=en$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button")).to_have_text("Send")
    expect(page.locator("#q-TC1 legend")).to_have_text(
        "There are enough seats in the waiting area of the one-stop shop")
    expect(page.get_by_role("navigation", name="Language").locator("[aria-current=true]")).to_have_text("English")

    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("button")).to_have_text("Gửi")


def test_an_english_citizen_is_thanked_in_english(app, live_server, unit, page):
    page.goto(f"{live_server}/u/P01?lang=en")
    option(page, "TC1", "Very satisfied").click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert [(r["locale"], r["answers"]) for r in stored(app)] == [("en", {"TC1": 5})]


def test_a_validation_error_shows_the_summary_and_keeps_the_answers(app, live_server, unit, page):
    page.goto(f"{live_server}/u/P01?q=quick")
    option(page, "DV2", "Hài lòng").click()
    option(page, "DV4", "Không hài lòng").click()
    page.get_by_label("Góp ý (không bắt buộc)").fill("Cần thêm ghế")
    page.get_by_role("button", name="Gửi").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Vui lòng trả lời câu hỏi này.")
    expect(page.locator("#q-DV1 .error")).to_have_text("Vui lòng trả lời câu hỏi này.")
    expect(page.locator("input[name=DV2][value='3']")).to_be_checked()
    expect(page.locator("input[name=DV4][value='1']")).to_be_checked()
    expect(page.get_by_label("Góp ý (không bắt buộc)")).to_have_value("Cần thêm ghế")
    assert stored(app) == []

    summary.get_by_role("link").click()  # leads to the question
    expect(page).to_have_url(re.compile(r"#q-DV1$"))
    expect(page.locator("#q-DV1")).to_be_in_viewport()
    option(page, "DV1", "Bình thường").click()
    page.get_by_role("button", name="Gửi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin cảm ơn")
    assert [(r["questionnaire"], r["answers"], r["comment"]) for r in stored(app)] == [
        ("quick", {"DV1": 2, "DV2": 3, "DV4": 1}, "Cần thêm ghế")]


def test_the_survey_works_without_javascript(app, live_server, unit, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server}/u/P01?q=quick")
    # A validation round trip, then a submission, with no script at all.
    option(page, "DV3", "Hài lòng").click()
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator("#q-DV1 .error")).to_have_text("Vui lòng trả lời câu hỏi này.")
    expect(page.locator("input[name=DV3][value='3']")).to_be_checked()

    option(page, "DV1", "Không hài lòng").click()
    page.get_by_role("button", name="Gửi").click()
    expect(page).to_have_url(re.compile(r"/u/P01/thanks\?q=quick&lang=vi$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin cảm ơn")
    assert [r["answers"] for r in stored(app)] == [{"DV1": 1, "DV3": 3}]
    # The context really had JavaScript off: a page's script does not run.
    page.goto("data:text/html,<title>off</title><script>document.title = 'on'</script>")
    assert page.title() == "off"


# ----------------------------------------------------------------------------- accessibility

def test_axe_finds_nothing_serious_on_the_survey(live_server, unit, page):
    found = {}
    for path in ("/u/P01", "/u/P01?lang=en", "/u/P01?q=quick"):
        page.goto(live_server + path)
        found[path] = serious_violations(page)
    assert all(v == [] for v in found.values()), "\n".join(
        f"{path}:\n{describe(v)}" for path, v in found.items() if v)


@pytest.mark.parametrize("path", ["/u/P01", "/u/P01?q=quick&lang=en"])
def test_axe_finds_nothing_serious_on_a_page_with_errors(live_server, unit, page, path):
    page.goto(live_server + path)
    if "quick" not in path:
        for label in ("Mở rộng hình thức thông tin để dễ dàng tiếp cận dịch vụ",
                      "Tiếp tục đơn giản hóa thủ tục hành chính",
                      "Nâng cao thái độ phục vụ của công chức",
                      "Nâng cao năng lực giải quyết công việc của công chức"):
            option(page, "expectations", label).click()
    page.locator("form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.locator(".question.has-error").count() == 1
    violations = serious_violations(page)
    assert violations == [], describe(violations)


def test_axe_finds_nothing_serious_on_the_thank_you_page(live_server, unit, page):
    found = {}
    for lang, heading in (("vi", "Xin cảm ơn"), ("en", "Thank you")):
        page.goto(f"{live_server}/u/P01?lang={lang}")
        # One rating: a form that answers nothing is refused, not thanked.
        page.locator("#q-TC1 label.option").last.click()
        page.locator("form button[type=submit]").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        found[lang] = serious_violations(page)
    assert all(v == [] for v in found.values()), "\n".join(
        f"{lang}:\n{describe(v)}" for lang, v in found.items() if v)


def test_axe_finds_nothing_serious_on_the_404_page(live_server, page):
    response = page.goto(f"{live_server}/u/NOPE")
    assert response.status == 404
    violations = serious_violations(page)
    assert violations == [], describe(violations)


def test_axe_reports_a_violation_it_is_shown(live_server, unit, page):
    # The check itself can fail: break the contrast of the button and axe must say so.
    page.goto(f"{live_server}/u/P01")
    # Through the CSSOM: the Content-Security-Policy refuses an added <style> element.
    page.evaluate("""document.querySelectorAll('button.primary').forEach(b => {
        b.style.setProperty('background', '#ffffff', 'important');
        b.style.setProperty('color', '#eeeeee', 'important'); })""")
    violations = serious_violations(page)
    assert "color-contrast" in [v["id"] for v in violations]
    assert "color-contrast" in describe(violations)
