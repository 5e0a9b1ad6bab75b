"""The early warning kept once a week is closed (services/alert_weeks.py): commands write it, the
pages read it while its stamp matches the responses, and compute it on the fly, writing nothing,
when a late answer or a flag moved them. The pages say the same either way.

The weeks are those of tests/cli/test_alerts.py, put before today so that the pages (which are
as of today) show them: each expected chart is worked out here with ``score`` on the week's
respondents and charted by domain.early_warning.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from accounts import add_user, csrf_from, log_in
from babel.numbers import format_decimal
from factories import full_submission, record, sipas, unit_tree
from sqlalchemy import func, select

from survey_app.domain.early_warning import ChartRule, WeekFigure, control_chart
from survey_app.domain.scoring import Respondent, score
from survey_app.extensions import db
from survey_app.models import AlertWeeks, ResponseFlag, Unit, User
from survey_app.services.alert_weeks import unit_weeks
from survey_app.services.alerts import last_full_week, unit_alerts
from survey_app.services.integrity import RESTORE, review

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
SETTINGS = {"ALERT_WINDOW_WEEKS": 4, "ALERT_BASELINE_WEEKS": 4, "ALERT_MIN_BASELINE_WEEKS": 2}
# Satisfied respondents of n, week by week (four baseline weeks, then the four of the window);
# the others rate everything 2. A's last two weeks drop.
PLAN = {"A": [(5, 6), (4, 6), (5, 6), (4, 6), (5, 6), (4, 6), (1, 6), (1, 6)],
        "B": [(4, 6), (4, 6), (5, 6), (4, 6), (4, 6), (5, 6), (3, 3), (4, 6)]}
# A's answers that arrive late (a kiosk's queue): six more who rate everything 2 in the window's
# second week, which then reads 4 satisfied of 12.
LATE_WEEK, LATE = 5, 6


def today():
    return datetime.now(LOCAL).date()


def mondays():
    last = last_full_week(today())
    return [last - timedelta(weeks=7 - k) for k in range(8)]


@pytest.fixture
def drifting(app):
    app.config.update(SETTINGS)
    q = sipas()
    with app.app_context():
        units = unit_tree(db.session, "P > A, B")
        for code, weeks in PLAN.items():
            for monday, (satisfied, n) in zip(mondays(), weeks):
                for i in range(n):
                    record(db.session, units[code], q, full_submission(q, 5 if i < satisfied else 2),
                           at=datetime.combine(monday + timedelta(days=i % 7), time(8 + i), LOCAL))
        db.session.commit()
    return app


def expected_chart(app, plan: list[tuple[int, int]]):
    """A's chart from its weeks, each scored here on its own respondents."""
    q = sipas()
    figures = []
    for monday, (satisfied, n) in zip(mondays(), plan):
        scores = score(q.scoring_plan(), [Respondent(dict(full_submission(q, 5 if i < satisfied else 2).ratings))
                                          for i in range(n)])
        figures.append(WeekFigure(monday, scores.n, scores.index, scores.se))
    return control_chart(figures, mondays()[4], ChartRule.from_settings(app.config))


def sentence(chart) -> str:
    word = {"down": "thấp hơn", "up": "cao hơn"}[chart.signal]
    points = format_decimal(abs(chart.gap), "#,##0.0", locale="vi")
    return f"Chỉ số SIPAS của A {word} mức thường lệ {points} điểm trong {chart.weeks_signalling} tuần liên tiếp"


def rows_per_table(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables if table.name != "audit_log"}


def pages(app, client) -> dict[str, str]:
    """What the officer reads (alerts, units table, A's page), CSRF tokens left out; reading them
    writes nothing."""
    before = rows_per_table(app)
    found = {}
    for path in ("/reports/alerts", "/reports/", "/reports/units/A"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        found[path] = html.replace(csrf_from(html), "") if 'name="csrf_token"' in html else html
    assert rows_per_table(app) == before
    return found


def sentences(html: str) -> list[str]:
    return [unescape(s) for s in re.findall(r'<p class="sentence">(.*?)</p>', html, re.S)]


def kept(app) -> bool:
    """Whether the weeks the pages read now come from a kept row."""
    with app.app_context():
        q, last = app.extensions["survey_catalog"].default, last_full_week(today())
        return unit_weeks(db.session, q, last - timedelta(weeks=7), last, LOCAL, list(db.session.scalars(
            select(Unit)))).kept


def keep(app) -> None:
    result = app.test_cli_runner().invoke(args=["alerts", "keep"])
    assert result.exit_code == 0, result.output
    assert "3 units, 1 signalling" in result.output


def alerts_now(app):
    with app.app_context():
        return unit_alerts(db.session, app.extensions["survey_catalog"].default, today(), LOCAL,
                           ChartRule.from_settings(app.config))


def test_kept_alerts_equal_those_computed_and_the_pages_read_them(drifting, client):
    log_in(client, add_user(drifting, "officer@example.gov.vn", "officer", "P"))
    computed, on_the_fly = alerts_now(drifting), pages(drifting, client)
    assert not kept(drifting)
    expected = expected_chart(drifting, PLAN["A"])
    assert (expected.signal, expected.weeks_signalling) == ("down", 1)
    assert sentences(on_the_fly["/reports/alerts"])[0].startswith(sentence(expected))
    a = computed.units[0]
    assert a.code == "A" and a.chart.gap == pytest.approx(expected.gap, rel=1e-12)

    keep(drifting)
    with drifting.app_context():
        row = db.session.scalars(select(AlertWeeks)).one()
        assert (row.questionnaire_id, row.week, row.first) == ("sipas", mondays()[-1], mondays()[0])
        assert (row.responses, row.flags, row.flag_id_sum) == (sum(n for p in PLAN.values() for _, n in p), 0, 0)
        computed_at = row.computed_at
    assert kept(drifting)
    assert alerts_now(drifting) == computed            # every figure of every chart, to the last bit
    assert pages(drifting, client) == on_the_fly

    keep(drifting)                                     # nothing moved: nothing computed again
    with drifting.app_context():
        assert db.session.scalars(select(AlertWeeks.computed_at)).one() == computed_at


def test_a_late_answer_then_a_flag_and_a_restore_move_the_pages_with_them(drifting, client):
    officer = add_user(drifting, "officer@example.gov.vn", "officer", "P")
    log_in(client, officer)
    keep(drifting)
    before = pages(drifting, client)

    # Six answers of A's second window week arrive late, as a kiosk's queue does.
    with drifting.app_context():
        q, a = sipas(), db.session.scalars(select(Unit).where(Unit.code == "A")).one()
        monday = mondays()[LATE_WEEK]
        late = [record(db.session, a, q, full_submission(q, 2),
                       at=datetime.combine(monday + timedelta(days=2), time(9, i), LOCAL)).id for i in range(LATE)]
        db.session.commit()
    plan = list(PLAN["A"])
    plan[LATE_WEEK] = (plan[LATE_WEEK][0], plan[LATE_WEEK][1] + LATE)
    moved = expected_chart(drifting, plan)
    assert (moved.signal, moved.weeks_signalling) == ("down", 2)   # one week more than before
    assert not kept(drifting)                          # the stamp moved: computed on the fly
    after_late = pages(drifting, client)
    assert sentences(after_late["/reports/alerts"])[0].startswith(sentence(moved))
    assert f"trong {moved.weeks_signalling} tuần liên tiếp" in unescape(after_late["/reports/units/A"])
    keep(drifting)
    assert kept(drifting) and pages(drifting, client) == after_late

    # Flagged as made up: they no longer count, and the pages are back to what they were.
    with drifting.app_context():
        db.session.add_all([ResponseFlag(response_id=i, reasons="burst", flagged_at=datetime.now(timezone.utc))
                            for i in late])
        db.session.commit()
    assert not kept(drifting)
    assert pages(drifting, client) == before

    # An officer restores them: the stamp is the one kept after the late answers again.
    with drifting.app_context():
        user = db.session.scalars(select(User).where(User.email == officer)).one()
        for i in late:
            review(db.session, db.session.get(ResponseFlag, i), decision=RESTORE, reason="Đã xác minh.", user=user,
                   now=datetime.now(timezone.utc))
        db.session.commit()
    assert kept(drifting)
    assert pages(drifting, client) == after_late


def test_the_alerts_command_keeps_what_it_computed(drifting):
    result = drifting.test_cli_runner().invoke(args=["alerts", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert kept(drifting)
