"""``flask figures warm``: the officers' pages find every figure they read already kept, and
show exactly what they show when they compute it themselves."""

from __future__ import annotations

from datetime import date

import report_province
from accounts import add_user, csrf_from, log_in
from sqlalchemy import delete, select

from survey_app.cli.figures import closed_periods
from survey_app.domain.periods import Period, period_of
from survey_app.extensions import db
from survey_app.models import CachedFigures

PAGES = ("/reports/", "/reports/units/TINH", "/reports/units/SO", "/reports/units/STP", "/reports/units/X2")


def kept(app) -> dict[str, object]:
    with app.app_context():
        return dict(db.session.execute(select(CachedFigures.key, CachedFigures.computed_at)).all())


def html(client, path: str, **query) -> str:
    response = client.get(path, query_string={**report_province.PERIOD, **query})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    return text.replace(csrf_from(text), "")


def test_pages_after_a_warm_up_compute_nothing(app, client, runner):
    report_province.build(app)
    log_in(client, add_user(app, "officer@binhan.gov.vn", "officer", "TINH"))
    result = runner.invoke(args=["figures", "warm", "--from", report_province.FROM, "--to", report_province.TO])
    assert result.exit_code == 0, result.output
    assert f"sipas {report_province.FROM}..{report_province.TO}: 10 units, figures " in result.output
    warmed = kept(app)
    # Per unit: its figures, 8 quarters of trend, its breakdowns; and the whole tree's table.
    # (The quick questionnaire, without responses, is warmed too.)
    assert len(warmed) >= 10 * 10 + 1
    pages = {path: html(client, path) for path in PAGES}
    after = kept(app)
    assert after == warmed   # nothing computed again; the charts are kept in the process, not here
    html(client, "/reports/units/STP", lang="en")
    assert kept(app) == warmed

    with app.app_context():
        db.session.execute(delete(CachedFigures))
        db.session.commit()
    assert {path: html(client, path) for path in PAGES} == pages


def test_warm_up_options(app, runner):
    report_province.build(app)
    assert runner.invoke(args=["figures", "warm", "--from", "2026-01-01"]).exit_code == 2
    assert runner.invoke(args=["figures", "warm", "--from", "2026-02-01", "--to", "2026-01-01"]).exit_code == 2
    assert runner.invoke(args=["figures", "warm", "--questionnaire", "nope"]).exit_code == 2
    result = runner.invoke(args=["figures", "warm", "--questionnaire", "quick"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 3 and result.output.startswith("quick ")
    assert "charts" not in result.output


def test_closed_periods():
    today = date(2026, 5, 15)
    assert closed_periods(today, current=False) == [
        Period(date(2026, 4, 1), date(2026, 4, 30)), period_of("quarter", date(2026, 1, 1)),
        period_of("year", date(2025, 1, 1))]
    assert closed_periods(today, current=True)[3:] == [
        period_of("month", today), period_of("quarter", today), period_of("year", today)]


def test_a_period_after_a_kept_one_reads_only_itself_and_shows_the_same(app, client, runner):
    """With the quarter before kept (warmed), a page of this quarter takes that quarter's figures
    from them instead of reading it again: the pages are the same as computed from nothing."""
    report_province.build(app)
    log_in(client, add_user(app, "officer@binhan.gov.vn", "officer", "TINH"))
    result = runner.invoke(args=["figures", "warm", "--from", "2025-10-01", "--to", "2025-12-31"])
    assert result.exit_code == 0, result.output
    pages = {path: html(client, path) for path in PAGES}
    with app.app_context():
        db.session.execute(delete(CachedFigures))
        db.session.commit()
    assert {path: html(client, path) for path in PAGES} == pages
