"""A reform officer's journey in Chromium on an office screen: sign in, pick the last full
quarter, open a unit, download its PDF and its workbook. The figures on screen, in
``pdftotext`` and in openpyxl equal ``scores --format json``; axe finds no serious or critical
problem on any officer page."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import report_province
from accounts import PASSWORD, add_user
from axe_playwright_python.sync_playwright import Axe
from babel.numbers import format_decimal
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from survey_app.domain.periods import last_full_quarter

OFFICE = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False,
          "device_scale_factor": 1, "locale": "vi-VN", "accept_downloads": True}
ELEMENTS = ["TC", "TT", "CC", "KQ", "PA"]
JOB_WAIT_MS = 90_000


def number(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.0", locale="vi")


def interval(ci) -> str:
    return "—" if ci is None else f"{number(ci[0])}–{number(ci[1])}"


def serious_violations(page: Page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture
def quarter(app):
    """The last full quarter of today, holding the province of tests/report_province.py."""
    today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
    period = last_full_quarter(today)
    report_province.build(app, quarter=period)
    return period


def scores(runner, quarter, *args: str) -> dict:
    result = runner.invoke(args=["scores", "--from", quarter.start.isoformat(), "--to", quarter.end.isoformat(),
                                 *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def cell_texts(page: Page, row_id: str) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(f"#{row_id} > th, #{row_id} > td").all_inner_texts()]


@pytest.mark.nightly
def test_an_officer_reads_the_last_quarter_and_downloads_a_unit_s_reports(app, live_server, new_context, runner,
                                                                         quarter, tmp_path):
    add_user(app, "canbo@binhan.gov.vn", "officer", None)
    page = new_context(**OFFICE).new_page()
    violations: dict[str, list[str]] = {}

    page.goto(f"{live_server}/login")
    page.get_by_label("Thư điện tử").fill("canbo@binhan.gov.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{live_server}/reports/")
    violations["units (default)"] = serious_violations(page)

    # Pick the last full quarter in the picker, as an officer would.
    label = f"Quý {(quarter.start.month - 1) // 3 + 1}/{quarter.start.year}"
    page.get_by_label("Kỳ báo cáo", exact=True).select_option(label=label)
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page).to_have_url(f"{live_server}/reports/?from={quarter.start}&to={quarter.end}")
    expect(page.locator("h1")).to_contain_text(label)
    violations["units"] = serious_violations(page)

    document = scores(runner, quarter)
    expect(page.locator("#overall-index")).to_have_text(number(document["overall"]["index"]))
    for unit in document["units"]:
        name, index, ci, n, _rate, rank, _moved, _change, *elements = cell_texts(page, f"unit-{unit['unit']}")
        assert (name, index, ci, n) == (unit["name"], number(unit["index"]), interval(unit["ci"]), str(unit["n"]))
        assert elements == [number(unit["elements"][code]["index"]) for code in ELEMENTS]
        assert rank == (str(unit["rank"]) if unit["rank"] else ("chưa đủ phiếu" if unit["unit"] == "SNV" else "—"))
    assert cell_texts(page, "unit-SXD")[6] == "tăng 2 bậc"

    # Sorting is a plain link.
    page.get_by_role("link", name="Chỉ số SIPAS").click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    violations["units sorted"] = serious_violations(page)

    # Open a unit.
    page.get_by_role("link", name="Sở Tư pháp").click()
    expect(page.locator("h1")).to_contain_text("Sở Tư pháp")
    stp = scores(runner, quarter, "--unit", "STP")["units"][0]
    expect(page.locator("#unit-index")).to_have_text(number(stp["index"]))
    expect(page.locator("#unit-ci")).to_have_text(interval(stp["ci"]))
    expect(page.locator("#unit-n")).to_have_text(str(stp["n"]))
    for code in ELEMENTS:
        assert cell_texts(page, f"element-{code}")[1:] == [number(stp["elements"][code]["index"]),
                                                          interval(stp["elements"][code]["ci"])]
    masked = "Gọi tôi [số điện thoại] hoặc viết [email], CCCD [số giấy tờ]."
    expect(page.locator(".comment-text")).to_have_text([masked])
    assert page.locator("svg[role=img]").count() == 3
    violations["unit"] = serious_violations(page)
    unit_url = page.url

    # The PDF: a page says it is being prepared, then the file arrives by itself. It is made by a
    # background job, which on a loaded CI machine takes well over Playwright's default 10 s.
    with page.expect_download(timeout=JOB_WAIT_MS) as pdf_download:
        page.get_by_role("button", name="Báo cáo PDF (tiếng Việt)").click()
    expect(page.locator("h1")).to_have_text("Đang chuẩn bị báo cáo PDF")
    violations["preparing"] = serious_violations(page)
    pdf = pdf_download.value
    assert pdf.suggested_filename == f"bao-cao-hai-long-STP-{quarter.start}-{quarter.end}.pdf"
    text = subprocess.run(["pdftotext", "-layout", pdf.path(), "-"], capture_output=True, check=True).stdout.decode()
    assert number(stp["index"]) in text and interval(stp["ci"]) in text
    for code in ELEMENTS:
        assert number(stp["elements"][code]["index"]) in text
    assert "0912 345 678" not in text and "[số điện thoại]" in text

    # The workbook.
    page.goto(unit_url)
    with page.expect_download(timeout=JOB_WAIT_MS) as xlsx_download:
        page.get_by_role("button", name="Bảng tính (XLSX)").click()
    xlsx = xlsx_download.value
    assert xlsx.suggested_filename == f"bao-cao-hai-long-STP-{quarter.start}-{quarter.end}.xlsx"
    with open(xlsx.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()), read_only=True)
    rows = list(book["Đơn vị"].iter_rows(values_only=True))
    header, stp_row = rows[0], next(row for row in rows if row[0] == "STP")
    figures = dict(zip(header, stp_row))
    assert figures["Số phiếu"] == stp["n"]
    assert figures["Chỉ số SIPAS"] == pytest.approx(stp["index"], abs=1e-9)
    assert [figures[code] for code in ELEMENTS] == pytest.approx(
        [stp["elements"][code]["index"] for code in ELEMENTS], abs=1e-9)

    # Comments, second page, and the error page of a bad address.
    page.goto(f"{live_server}/reports/units/X2?from={quarter.start}&to={quarter.end}&page=2")
    expect(page.locator(".comment-text")).to_have_count(3)
    violations["comments page 2"] = serious_violations(page)
    page.goto(f"{live_server}/reports/?from={quarter.end}&to={quarter.start}")
    expect(page.locator("main")).to_contain_text("Ngày đầu của kỳ nằm sau ngày cuối.")
    violations["bad period"] = serious_violations(page)

    assert {name: found for name, found in violations.items() if found} == {}
