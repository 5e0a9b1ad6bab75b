"""``flask demo`` and ``flask db check``."""

from __future__ import annotations

import logging
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from survey_app import catalog_of
from survey_app.extensions import db
from survey_app.models import Answer, Response, Unit


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


def test_demo_makes_a_province(app, runner):
    started = datetime.now(timezone.utc)
    result = runner.invoke(args=["demo", "--responses", "500"])
    assert result.exit_code == 0, result.output
    assert "Demo province created: 20 units, 500 responses." in result.output

    with app.app_context():
        all_units = db.session.scalars(select(Unit)).all()
        roots = [u for u in all_units if u.parent is None]
        assert len(roots) == 1
        root = roots[0]
        groups = {g.code: g for g in root.children}
        assert set(groups) == {"SO", "XA"}
        departments = [u.name for u in groups["SO"].children]
        communes = [u.name for u in groups["XA"].children]
        assert len(departments) >= 5 and all(name.startswith("Sở ") for name in departments)
        assert len(communes) >= 5 and all(name.split()[0] in {"Xã", "Phường", "Thị"} for name in communes)
        assert len(all_units) == 1 + 2 + len(departments) + len(communes) == 20
        assert all(vietnamese(u.name) for u in all_units)
        assert "Sở Tư pháp" in departments

        stored = db.session.scalars(select(Response)).all()
        assert len(stored) == 500
        # Responses belong to the departments and communes, never to a group or the province.
        leaves = {u.id for u in all_units if u.parent is not None and u.parent.parent is not None}
        assert {r.unit_id for r in stored} <= leaves
        assert len({r.unit_id for r in stored}) == len(leaves)  # 500 responses reach all 17
        # Spread over the last two years, none in the future.
        times = sorted(r.submitted_at for r in stored)
        assert times[0] >= started - timedelta(days=731)
        assert times[-1] <= datetime.now(timezone.utc)
        assert times[-1] - times[0] > timedelta(days=600)
        months = {(t.year, t.month) for t in times}
        assert len(months) >= 23
        # Both questionnaires, their own identity recorded; answers on the scale or "no opinion".
        catalog = catalog_of(app)
        assert {r.questionnaire_id for r in stored} == {q.id for q in catalog}
        assert all(r.questionnaire_hash == catalog.get(r.questionnaire_id).content_hash for r in stored)
        assert sum(r.questionnaire_id == "sipas" for r in stored) > 400
        values = set(db.session.scalars(select(Answer.value).distinct()))
        assert values == {0, 1, 2, 3, 4, 5}

    # The data makes a real report: every department and commune ranked over two years.
    app.config["MIN_RANKED_RESPONSES"] = 10
    today = datetime.now(timezone.utc).date()
    result = runner.invoke(args=["scores", "--from", (today - timedelta(days=740)).isoformat(),
                                 "--to", today.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"n": ' in result.output and '"rank": 1' in result.output


def test_demo_refuses_a_database_that_is_not_empty(app, runner):
    assert runner.invoke(args=["demo", "--responses", "50"]).exit_code == 0
    before = counts(app)
    assert before[:2] == (20, 50)

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
    assert counts(app)[:2] == (20, 30)


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
