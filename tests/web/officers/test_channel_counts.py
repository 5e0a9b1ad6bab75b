"""Officers see the defences (issue 16, finding 1): each unit's respondents by channel, with what
each channel brought that was flagged as made up, on the unit page, in the workbook and in the
PDF; the figures are the engine's ChannelCount (services.figures)."""

from __future__ import annotations

import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

from accounts import add_user, log_in
from factories import full_submission, sipas, submission, unit_tree
from html_tables import Page
from openpyxl import load_workbook

from survey_app.extensions import db
from tests.web.officers.test_pages_follow_the_data import answer

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_open_links_flagged_share_on_the_page_the_workbook_and_the_pdf(app, client, runner, tmp_path):
    with app.app_context():
        unit_tree(db.session, "TINH > SO > STP, SXD")
        db.session.commit()
    q = sipas()
    citizen = app.test_client()
    answer(citizen, "/u/STP", submission(q, TC1=1, TC2=2))
    answer(citizen, "/u/STP", full_submission(q, 5))       # the whole form alike in a second: flagged
    answer(citizen, "/u/SXD", submission(q, TC1=4))
    log_in(client, add_user(app, "officer@example.gov.vn", "officer", "TINH"))
    today = datetime.now(LOCAL).date().isoformat()
    day = {"from": today, "to": today}

    response = client.get("/reports/units/STP", query_string=day)
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    # Channel, respondents, responses counted, flagged, share flagged.
    assert page.row("received-link") == ["Đường dẫn mở (áp phích)", "1", "1", "1", "50,0%"]
    assert page.row_ids("received-") == ["received-link"]

    xlsx = tmp_path / "r.xlsx"
    result = runner.invoke(args=["report", "--from", today, "--to", today, "--lang", "en", "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    rows = load_workbook(xlsx)["Units"].iter_rows(values_only=True)
    header = next(rows)
    units = {row[0]: dict(zip(header, row)) for row in rows}
    assert (units["STP"]["Respondents: Open link (poster)"], units["STP"]["Flagged: Open link (poster)"]) == (1, 1)
    assert units["STP"]["Share of open-link responses flagged"] == 0.5
    assert (units["SXD"]["Respondents: Open link (poster)"], units["SXD"]["Flagged: Open link (poster)"]) == (1, 0)
    assert units["SXD"]["Share of open-link responses flagged"] == 0.0

    pdf = tmp_path / "r.pdf"
    result = runner.invoke(args=["report", "--from", today, "--to", today, "--lang", "en", "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "By channel: Open link (poster) 1 (1 flagged, 50.0%)" in text
