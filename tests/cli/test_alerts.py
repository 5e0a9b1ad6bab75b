"""``flask alerts``: the JSON contract (README, "Alerts JSON"), against weeks scored independently.

Each week's index and standard error are computed here with ``score`` on the week's respondents,
grouped by the test's own local calendar, and charted by domain.early_warning (worked by hand in
tests/domain/test_early_warning.py); the command reads them through the weekly series instead.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from factories import full_submission, record, sipas, unit_tree

from survey_app.domain.early_warning import ChartRule, WeekFigure, control_chart
from survey_app.domain.scoring import Respondent, score
from survey_app.extensions import db

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = date(2026, 3, 4)            # a Wednesday: the last full week began on Monday 23 February
FIRST = date(2026, 2, 2)            # the window's four weeks
BASELINE = date(2026, 1, 5)         # the four weeks before them
SETTINGS = {"ALERT_WINDOW_WEEKS": 4, "ALERT_BASELINE_WEEKS": 4, "ALERT_MIN_BASELINE_WEEKS": 2}
# Satisfied respondents of six, week by week (baseline, then window); the rest rate everything 2.
# A's last two weeks drop; B's third window week has only three respondents (it does not count).
PLAN = {"A": [(5, 6), (4, 6), (5, 6), (4, 6), (5, 6), (4, 6), (1, 6), (1, 6)],
        "B": [(4, 6), (4, 6), (5, 6), (4, 6), (4, 6), (5, 6), (3, 3), (4, 6)]}


@pytest.fixture
def data(app):
    app.config.update(SETTINGS)
    q = sipas()
    with app.app_context():
        units = unit_tree(db.session, "P > A, B")
        for code, weeks in PLAN.items():
            for k, (satisfied, n) in enumerate(weeks):
                monday = BASELINE + timedelta(weeks=k)
                for i in range(n):
                    # Spread over the week, the last one on Sunday at 23:59 local time.
                    moment = (datetime.combine(monday + timedelta(days=6), time(23, 59), LOCAL) if i == n - 1
                              else datetime.combine(monday + timedelta(days=i % 6), time(8 + i), LOCAL))
                    record(db.session, units[code], q, full_submission(q, 5 if i < satisfied else 2), at=moment)
        # Monday 00:00 after the window: outside it.
        record(db.session, units["A"], q, full_submission(q, 1),
               at=datetime.combine(FIRST + timedelta(weeks=4), time(0, 0), LOCAL))
        db.session.commit()
    return app


def expected_chart(code: str, app):
    plan = sipas().scoring_plan()
    figures = []
    for k, (satisfied, n) in enumerate(PLAN[code]):
        respondents = [Respondent(dict(full_submission(sipas(), 5 if i < satisfied else 2).ratings)) for i in range(n)]
        scores = score(plan, respondents)
        figures.append(WeekFigure(BASELINE + timedelta(weeks=k), scores.n, scores.index, scores.se))
    return control_chart(figures, FIRST, ChartRule.from_settings(app.config))


def alerts(app, *args):
    result = app.test_cli_runner().invoke(args=["alerts", *args])
    return result


def test_the_json_holds_each_units_state_as_worked_out_from_its_weeks(data):
    result = alerts(data, "--as-of", AS_OF.isoformat(), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["as_of"] == "2026-03-04" and document["weeks"] == ["2026-02-02", "2026-02-23"]
    assert [u["unit"] for u in document["units"]] == ["A", "B", "P"]  # down first
    for entry in document["units"][:2]:
        chart = expected_chart(entry["unit"], data)
        assert entry == {
            "unit": entry["unit"], "name": entry["unit"], "signal": chart.signal,
            "since": chart.since.isoformat() if chart.since else None,
            "weeks_signalling": chart.weeks_signalling, "ewma": pytest.approx(chart.ewma, rel=1e-12),
            "limit": pytest.approx(0.2 ** 0.5 / 1.8 ** 0.5 * 2.4, rel=1e-12),
            "baseline": pytest.approx(chart.baseline.mean, rel=1e-12),
            "last_index": pytest.approx(chart.points[-1].week.index, rel=1e-12), "n_last_week": 6,
        }
    a, b, p = document["units"]
    assert (a["signal"], a["since"], a["weeks_signalling"]) == ("down", "2026-02-23", 1)
    assert b["signal"] is None and a["baseline"] == pytest.approx(100 * (5 + 4 + 5 + 4) / 24)
    assert p == {"unit": "P", "name": "P", "signal": None, "since": None, "weeks_signalling": 0, "ewma": None,
                 "limit": a["limit"], "baseline": None, "last_index": None, "n_last_week": 0}


def test_one_unit_and_text(data):
    result = alerts(data, "--as-of", AS_OF.isoformat(), "--unit", "B", "--format", "json")
    assert [u["unit"] for u in json.loads(result.output)["units"]] == ["B"]
    text = alerts(data, "--as-of", AS_OF.isoformat()).output
    assert "down" in text.splitlines()[1] and text.splitlines()[1].startswith("A ")


def test_an_unknown_unit_is_refused(data):
    result = alerts(data, "--unit", "NOPE")
    assert result.exit_code == 2 and "unknown unit NOPE" in result.output
