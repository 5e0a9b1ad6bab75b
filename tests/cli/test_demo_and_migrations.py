"""``flask demo`` and ``flask db check``."""

from __future__ import annotations

import json
import logging
import math
import unicodedata
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import delete, func, select

from survey_app import catalog_of
from survey_app.domain.masking import mask_personal_data
from survey_app.domain.periods import Period, period_of
from survey_app.domain.submission import EXPECTATIONS
from survey_app.extensions import db
from survey_app.models import AlertWeeks, Answer, Choice, Invitation, Response, Unit
from survey_app.services.alert_weeks import stamp
from survey_app.services.alerts import last_full_week


def vietnamese(name: str) -> bool:
    """Written with Vietnamese letters (đ, ư, ơ, tones...), not stripped to ASCII."""
    return any(unicodedata.decomposition(c) or c in "đĐ" for c in name if not c.isascii())


@pytest.fixture
def restore_logging():
    """Alembic's env.py reconfigures logging onto the runner's (soon closed) stderr; undo that."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Unit)),
                db.session.scalar(select(func.count()).select_from(Response)),
                db.session.scalar(select(func.count()).select_from(Answer)))


def local_today(app):
    return datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()


def full_quarters_before(today, count: int) -> list[Period]:
    """The ``count`` calendar quarters before the one holding ``today``, oldest first."""
    quarters = [period_of("quarter", today).previous()]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


def unit_scores(runner, period: Period) -> dict[str, dict]:
    result = runner.invoke(args=["scores", "--from", period.start.isoformat(), "--to", period.end.isoformat(),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    return {u["unit"]: u for u in json.loads(result.stdout)["units"]}


def z_score(before: dict, after: dict) -> float | None:
    """The change from ``before`` to ``after`` over its standard error, from the two intervals
    alone: se = half-width / 1.96 (the longer side: an interval is clipped to 0-100)."""
    if before["index"] is None or after["index"] is None or not before["ci"] or not after["ci"]:
        return None
    se = [max(u["ci"][1] - u["index"], u["index"] - u["ci"][0]) / 1.96 for u in (before, after)]
    if math.hypot(*se) == 0:
        return None
    return (after["index"] - before["index"]) / math.hypot(*se)


def test_the_demo_province_has_todays_two_levels_and_merged_departments(app, runner):
    started = datetime.now(UTC)
    result = runner.invoke(args=["demo", "--responses", "2000"])
    assert result.exit_code == 0, result.output
    assert "Demo province created: 25 units, 2000 responses, " in result.output

    with app.app_context():
        all_units = db.session.scalars(select(Unit)).all()
        assert len(all_units) == 25
        assert all(vietnamese(u.name) for u in all_units)
        roots = [u for u in all_units if u.parent is None]
        assert [u.code for u in roots] == ["DEMO"] and roots[0].name.startswith("UBND tỉnh ")
        root = roots[0]
        below_root = {u.code: u for u in root.children}
        assert set(below_root) == {"TTPVHCC", "SO", "XA"}
        assert below_root["TTPVHCC"].name.startswith("Trung tâm Phục vụ hành chính công tỉnh")
        assert not below_root["TTPVHCC"].children
        # Two levels of local government: every unit under a group is a one-stop shop itself.
        departments = {u.code: u.name for u in below_root["SO"].children}
        communes = {u.code: u.name for u in below_root["XA"].children}
        assert all(not u.children for g in ("SO", "XA") for u in below_root[g].children)
        assert departments["STP"] == "Sở Tư pháp"
        assert {"Sở Tài chính", "Sở Nội vụ", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Sở Công Thương",
                "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Văn hóa, Thể thao và Du lịch",
                "Sở Khoa học và Công nghệ"} <= set(departments.values())
        assert all(name.startswith("Sở ") for name in departments.values())
        kinds = {name.split()[1] for name in communes.values()}
        assert all(name.startswith("UBND ") for name in communes.values())
        assert kinds == {"xã", "phường", "đặc"} and 8 <= len(communes) <= 12
        assert any(name.startswith("UBND đặc khu ") for name in communes.values())
        # Nothing of the old administration: no district, no thị trấn, no merged-away department.
        gone = ("huyện", "quận", "thị xã", "thị trấn", "kế hoạch và đầu tư", "lao động", "tài nguyên",
                "giao thông", "thanh tra")
        assert not [u.name for u in all_units if any(word in u.name.lower() for word in gone)]

        stored = db.session.scalars(select(Response)).all()
        assert len(stored) == 2000
        # Responses belong to the one-stop shops, never to a group or the province, and reach all.
        shops = {u.id for u in all_units if not u.children}
        assert {r.unit_id for r in stored} == shops
        # Eight full quarters and the current one, none in the future.
        times = sorted(r.submitted_at for r in stored)
        assert times[-1] <= started
        first = full_quarters_before(local_today(app), 8)[0].utc_bounds(ZoneInfo(app.config["TIMEZONE"]))[0]
        assert first <= times[0] < first + timedelta(days=14)
        # Both questionnaires, their own identity recorded; answers on the scale or "no opinion".
        catalog = catalog_of(app)
        assert {r.questionnaire_id for r in stored} == {q.id for q in catalog}
        assert all(r.questionnaire_hash == catalog.get(r.questionnaire_id).content_hash for r in stored)
        values = set(db.session.scalars(select(Answer.value).distinct()))
        assert values == {0, 1, 2, 3, 4, 5}
        # Expectations and profile answers use the codes of the questionnaire file.
        sipas = catalog.default
        chosen = set(db.session.execute(select(Choice.question_code, Choice.option_code).distinct()))
        assert {o for q, o in chosen if q == EXPECTATIONS} == {o.code for o in sipas.expectations.options}
        assert {q for q, _ in chosen} == {EXPECTATIONS} | {p.code for p in sipas.profile}


def test_the_first_run_shows_trends_significant_changes_and_small_units(app, runner):
    """What ``make run`` loads: the default number of responses, invitations included."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo province created: 25 units, 12000 responses, " in result.output

    with app.app_context():
        stored = db.session.scalars(select(Response)).all()
        assert {r.channel for r in stored} == {"link", "invitation", "kiosk", "paper"}
        comments = [r.comment for r in stored if r.comment]
        assert 200 <= len(comments) <= 1000
        assert sum(mask_personal_data(c) != c for c in comments) >= 20
        # Every answered invitation is recorded as a citizen's answer would be: on each day, a
        # unit's answered invitations are as many as its responses through an invitation (the
        # invitation keeps only the day, nothing that leads to its response).
        zone = ZoneInfo(app.config["TIMEZONE"])
        invitations = db.session.scalars(select(Invitation)).all()
        answered = [i for i in invitations if i.answered_on is not None]
        assert len(invitations) > len(answered) > 100
        assert all(i.issued_on <= i.answered_on < i.expires_at.astimezone(zone).date() for i in answered)
        per_day = Counter((i.unit_id, i.answered_on) for i in answered)
        assert per_day == Counter((r.unit_id, r.submitted_at.astimezone(zone).date())
                                  for r in stored if r.channel == "invitation")
        # The early warning of the last full week is kept, so the first pages read it at once.
        kept = db.session.scalars(select(AlertWeeks)).one()
        assert kept.week == last_full_week(local_today(app))
        assert (kept.responses, kept.last_response_id, kept.flags, kept.flag_id_sum) == tuple(vars(
            stamp(db.session, "sipas", kept.first, kept.week, zone)).values())

    # The page an officer opens first: the last full quarter, against the one before; and the
    # trend over the eight full quarters.
    quarters = full_quarters_before(local_today(app), 8)
    first, before, latest = (unit_scores(runner, quarter) for quarter in (quarters[0], *quarters[-2:]))
    shops = [code for code in latest if code not in {u["parent"] for u in latest.values()}]
    assert len(shops) == 22
    for earlier in (before, first):
        changes = [z_score(earlier[code], latest[code]) for code in shops]
        assert any(z is not None and z > 1.96 for z in changes), "no significant rise"
        assert any(z is not None and z < -1.96 for z in changes), "no significant fall"
        assert any(z is not None and abs(z) < 1.96 for z in changes), "no change within chance"

    small = [code for code in shops if latest[code]["n"] < 30]
    assert small and all(latest[code]["rank"] is None for code in small)
    assert len(small) <= len(shops) // 2
    assert any(latest[code]["rank_change"] for code in shops)
    rates = [u["response_rate"] for u in latest.values() if u["response_rate"] is not None]
    assert rates and all(0 < rate < 1 for rate in rates)
    assert any(u["invitations"] == 0 and u["response_rate"] is None for u in latest.values())


def empty_the_database() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


def demo_data(app, runner, *args: str) -> tuple[str, list[tuple]]:
    """The demo's responses as exported, and its invitations; then an empty database again."""
    result = runner.invoke(args=["demo", "--responses", "400", *args])
    assert result.exit_code == 0, result.output
    exported = runner.invoke(args=["responses", "export", "-"])
    assert exported.exit_code == 0, exported.output
    with app.app_context():
        invitations = [(i.unit.code, i.channel, i.issued_on, i.expires_at, i.answered_on)
                       for i in db.session.scalars(select(Invitation).order_by(Invitation.issued_on,
                                                                               Invitation.id))]
        empty_the_database()
    return exported.stdout, invitations


def test_same_seed_same_data(app, runner):
    first = demo_data(app, runner, "--seed", "5")
    assert first[0].count("\n") == 401 and first[1]
    assert demo_data(app, runner, "--seed", "5") == first
    other = demo_data(app, runner, "--seed", "6")
    assert other[0] != first[0] and other[1] != first[1]


def test_demo_refuses_a_database_that_is_not_empty(app, runner):
    assert runner.invoke(args=["demo", "--responses", "50"]).exit_code == 0
    before = counts(app)
    assert before[:2] == (25, 50)

    result = runner.invoke(args=["demo", "--responses", "50"])
    assert result.exit_code == 1
    assert "the database is not empty" in result.output
    assert counts(app) == before

    result = runner.invoke(args=["demo", "--responses", "50", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "no demo data added" in result.output
    assert counts(app) == before


def test_demo_refuses_when_there_are_units_only(app, runner, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,parent\nHN,Thành phố Hà Nội,\n", encoding="utf-8")
    assert runner.invoke(args=["units", "import", str(path)]).exit_code == 0
    result = runner.invoke(args=["demo", "--responses", "50"])
    assert result.exit_code == 1
    assert counts(app) == (1, 0, 0)


def test_demo_if_empty_on_an_empty_database_creates_it(app, runner):
    result = runner.invoke(args=["demo", "--responses", "30", "--if-empty", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert counts(app)[:2] == (25, 30)


def test_migrations_match_the_models(app, runner, restore_logging):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "New upgrade operations detected" not in result.output


def test_db_check_detects_drift(app, runner, restore_logging):
    """The check above can fail: a table the migrations do not create is reported."""
    table = sa.Table("drift_probe", db.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        result = runner.invoke(args=["db", "check"])
    finally:
        db.metadata.remove(table)
    assert result.exit_code == 1
    assert "New upgrade operations detected" in result.output
    assert "drift_probe" in result.output
