"""The officers' pages show new figures as soon as their data change, whatever changed them: a
late response, a CSV import, a flag restored or flagged back, a unit renamed or added, volumes
imported; and reading them writes nothing. Each test reads the page first, changes the data the
way users do, and reads again: the page must say what ``scores --format json`` says now."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from accounts import add_user, csrf_from, log_in
from babel.numbers import format_decimal
from factories import form_fields, full_submission, sipas, submission, unit_tree
from html_tables import Page
from pages import hidden_field
from report_province import PERIOD
from sqlalchemy import func, select

from survey_app.domain.interchange import columns
from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.models import ResponseFlag
from survey_app.services import units
from survey_app.services.responses import record_response

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def page(client, path: str, **query) -> Page:
    response = client.get(path, query_string={**PERIOD, **query})
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return Page(response.get_data(as_text=True))


def without_token(client, path: str) -> str:
    """The page's HTML without its CSRF token (signed with the time, so new on every page)."""
    html = page(client, path).html
    return html.replace(csrf_from(html), "")


def rows_per_table(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def by_unit(document: dict) -> dict[str, dict]:
    return {u["unit"]: u for u in document["units"]}


def test_reading_the_pages_writes_nothing_and_reads_the_same(app, officer):
    before = rows_per_table(app)
    first_table, first_unit = without_token(officer, "/reports/"), without_token(officer, "/reports/units/STP")
    assert without_token(officer, "/reports/") == first_table
    assert without_token(officer, "/reports/units/STP") == first_unit
    after = rows_per_table(app)
    after.pop("audit_log", None)  # page views are not audited; nothing else may move either
    before.pop("audit_log", None)
    assert after == before


def test_a_late_response_in_the_closed_period_and_in_the_one_before_it(app, officer, scores_json, runner):
    assert page(officer, "/reports/").row("unit-STP")[3] == "4"
    assert page(officer, "/reports/units/STP").text("unit-n") == "4"
    with app.app_context():
        q = app.extensions["survey_catalog"].get("sipas")
        stp = units.unit_by_code(db.session, "STP")
        record_response(db.session, unit=stp, questionnaire=q, locale="vi", channel="paper",
                        submission=Submission(ratings={c: 1 for c in q.criterion_codes}),
                        submitted_at=datetime(2026, 2, 27, 10, tzinfo=LOCAL))
        db.session.commit()
    stp = by_unit(scores_json())["STP"]
    assert stp["n"] == 5 and stp["index"] == 80.0
    assert page(officer, "/reports/").row("unit-STP")[1:4] == ["80,0", interval(stp), "5"]
    unit_page = page(officer, "/reports/units/STP")
    assert (unit_page.text("unit-n"), unit_page.text("unit-index")) == ("5", "80,0")
    assert unit_page.row(unit_page.row_ids("quarter-")[-1])[1] == "5"

    # A response of the quarter before changes this quarter's change and rank change.
    with app.app_context():
        stp_unit = units.unit_by_code(db.session, "STP")
        record_response(db.session, unit=stp_unit, questionnaire=q, locale="vi", channel="paper",
                        submission=Submission(ratings={c: 5 for c in q.criterion_codes}),
                        submitted_at=datetime(2025, 12, 30, 10, tzinfo=LOCAL))
        db.session.commit()
    result = runner.invoke(args=["scores", "--from", "2025-10-01", "--to", "2025-12-31", "--unit", "STP",
                                 "--format", "json"])
    assert json.loads(result.output)["units"][0]["n"] == 4
    stp = by_unit(scores_json())["STP"]
    assert page(officer, "/reports/units/STP").text("unit-change").startswith("+5,0 điểm")   # 80 after 75
    assert stp["change"]["value"] == 5.0


def interval(unit: dict) -> str:
    return "–".join(format_decimal(v, "#,##0.0", locale="vi") for v in unit["ci"])


def test_a_csv_import_of_responses(app, officer, scores_json, runner, tmp_path):
    assert page(officer, "/reports/").row("unit-X1")[3] == "4"
    q = sipas()
    header = columns([q])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for day in (3, 4):
        writer.writerow({"submitted_at": f"2026-03-{day:02d}T09:00:00+07:00", "unit": "X1", "questionnaire": "sipas",
                         "channel": "paper", "locale": "vi", **{code: "5" for code in q.criterion_codes}})
    path = tmp_path / "late.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = runner.invoke(args=["responses", "import", str(path)])
    assert result.exit_code == 0, result.output
    x1 = by_unit(scores_json())["X1"]
    assert x1["n"] == 6 and round(x1["index"], 9) == round(5 / 6 * 100, 9)
    assert page(officer, "/reports/").row("unit-X1")[1:4] == ["83,3", interval(x1), "6"]
    assert page(officer, "/reports/units/X1").text("unit-n") == "6"


def test_units_renamed_and_added(app, officer, runner, tmp_path):
    assert page(officer, "/reports/").row("unit-STP")[0] == "Sở Tư pháp"
    path = tmp_path / "units.csv"
    path.write_text("code,name,parent\nSTP,Sở Tư pháp tỉnh Bình An,SO\nSTT,Sở Thông tin,SO\n", encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 0, result.output
    table = page(officer, "/reports/")
    assert table.row("unit-STP")[0] == "Sở Tư pháp tỉnh Bình An"
    assert table.row("unit-STT")[0] == "Sở Thông tin" and table.row("unit-STT")[3] == "0"
    assert page(officer, "/reports/units/STP").text("unit-n") == "4"


def test_volumes_imported_bring_the_weighted_index(app, officer, scores_json, runner, tmp_path):
    assert page(officer, "/reports/").html.count('id="overall-weighted"') == 0
    assert page(officer, "/reports/units/STP").html.count('id="unit-weighted"') == 0
    rows = ["unit,channel,period_start,period_end,count"] + [
        f"{code},{channel},2026-01-01,2026-03-31,{100 + i}" for i, code in enumerate(
            ("STP", "SXD", "SCT", "SYT", "SNV", "X1", "X2")) for channel in ("link", "kiosk", "invitation")]
    path = tmp_path / "volumes.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(args=["volumes", "import", str(path)])
    assert result.exit_code == 0, result.output
    now = scores_json()
    expected = now["overall"]["weighted"]
    assert expected["index"] is not None
    table = page(officer, "/reports/")
    assert (table.text("overall-weighted-index"), table.text("overall-weighted-ci"),
            table.text("overall-weighted-deff")) == (
        number(expected["index"]), interval({"ci": expected["ci"]}), coefficient(expected["deff"]))
    stp = by_unit(now)["STP"]["weighted"]
    unit_page = page(officer, "/reports/units/STP")
    assert (unit_page.text("unit-weighted-index"), unit_page.text("unit-weighted-ci"),
            unit_page.text("unit-weighted-deff")) == (
        number(stp["index"]), interval({"ci": stp["ci"]}), coefficient(stp["deff"]))


def number(value: float) -> str:
    return format_decimal(value, "#,##0.0", locale="vi")


def coefficient(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, "0.00", locale="vi")


def answer(client, url: str, answers) -> None:
    html = client.get(url).get_data(as_text=True)
    fields = {name: hidden_field(html, name) for name in ("csrf_token", "submission_key", "served_at")}
    assert client.post(url, data={**fields, **form_fields(answers)}).status_code == 302


def test_a_flag_restored_then_flagged_back(app, client):
    with app.app_context():
        unit_tree(db.session, "TINH > SO > STP, SXD")
        db.session.commit()
    q = sipas()
    citizen = app.test_client()
    answer(citizen, "/u/STP", submission(q, TC1=1, TC2=2))
    answer(citizen, "/u/STP", full_submission(q, 5))       # all 5 in a second: flagged
    answer(citizen, "/u/SXD", submission(q, TC1=4))
    with app.app_context():
        flag = db.session.scalars(select(ResponseFlag.response_id)).one()
    log_in(client, add_user(app, "officer@example.gov.vn", "officer", "TINH"))
    today = datetime.now(LOCAL).date().isoformat()
    day = {"from": today, "to": today}
    assert page(client, "/reports/", **day).row("unit-STP")[3] == "1"
    assert page(client, "/reports/units/STP", **day).text("unit-n") == "1"

    def decide(decision: str) -> None:
        token = csrf_from(client.get("/reports/flags", query_string=day).get_data(as_text=True))
        done = client.post(f"/reports/flags/{flag}", query_string=day,
                           data={"csrf_token": token, "decision": decision, "reason": "Đã xác minh."})
        assert done.status_code == 302

    decide("restore")
    assert page(client, "/reports/", **day).row("unit-STP")[3] == "2"
    assert page(client, "/reports/units/STP", **day).text("unit-n") == "2"
    decide("flag")
    assert page(client, "/reports/", **day).row("unit-STP")[3] == "1"
    assert page(client, "/reports/units/STP", **day).text("unit-n") == "1"
