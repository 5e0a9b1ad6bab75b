"""``flask volumes import FILE.csv`` (all or nothing, line numbers) and the ``weighted`` block it
brings to ``flask scores --format json``."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from factories import full_submission, quick, record, unit_tree
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.models.volume import Volume

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER = "unit,channel,period_start,period_end,count\n"


def write(tmp_path, text: str):
    path = tmp_path / "volumes.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


def volumes(app) -> set[tuple]:
    with app.app_context():
        return {(v.unit.code, v.channel, v.period_start.isoformat(), v.period_end.isoformat(), v.count)
                for v in db.session.scalars(select(Volume))}


@pytest.fixture
def units(app):
    with app.app_context():
        unit_tree(db.session, "P > A, B")
        db.session.commit()
    return app


def test_import_then_replace(units, runner, tmp_path):
    result = runner.invoke(args=["volumes", "import", str(write(tmp_path, HEADER + (
        "A,kiosk,2026-03-01,2026-03-31,300\n"
        "B,link,2026-01-01,2026-03-31,90\n")))])
    assert result.exit_code == 0, result.output
    assert "2 volumes added, 0 replaced" in result.output
    result = runner.invoke(args=["volumes", "import", str(write(tmp_path, HEADER + "A,kiosk,2026-03-01,2026-03-31,310\n"))])
    assert "0 volumes added, 1 replaced" in result.output
    assert volumes(units) == {("A", "kiosk", "2026-03-01", "2026-03-31", 310),
                              ("B", "link", "2026-01-01", "2026-03-31", 90)}


def test_any_bad_line_rejects_the_whole_file(units, runner, tmp_path):
    text = HEADER + (
        "A,kiosk,2026-03-01,2026-03-31,300\n"   # good
        "A,fax,2026-03-01,2026-03-31,10\n"
        "\n"
        "B,link,2026-03-31,2026-03-01,-4\n"
        "A,kiosk,2026-03-15,2026-04-14,20\n"    # overlaps line 2
        "NOPE,link,2026-3-1,2026-03-31,1\n"
    )
    result = runner.invoke(args=["volumes", "import", str(write(tmp_path, text))])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "line 3: channel 'fax' is not one of link, invitation, kiosk, paper, import",
        "line 5: period_end 2026-03-01 is before period_start 2026-03-31",
        "line 5: count '-4' is not a whole number from 0 to 2147483647",
        "line 6: A kiosk 2026-03-15..2026-04-14 overlaps 2026-03-01..2026-03-31 on line 2",
        "line 7: unknown unit 'NOPE'",
        "line 7: period_start '2026-3-1' is not a date YYYY-MM-DD",
        "Nothing was changed.",
    ]
    assert volumes(units) == set()


def test_a_bad_header_is_refused(units, runner, tmp_path):
    result = runner.invoke(args=["volumes", "import", str(write(tmp_path, "unit,channel,from,to,count\n"))])
    assert result.exit_code == 1
    assert "line 1: missing column 'period_start'" in result.output


def test_weighted_appears_in_scores_once_volumes_cover_the_period(units, runner, tmp_path):
    q = quick()
    with units.app_context():
        a = db.session.scalar(select(Unit).where(Unit.code == "A"))
        at = datetime(2026, 3, 10, 9, 0, tzinfo=LOCAL)
        for channel, levels in (("kiosk", [3, 3, 3, 1]), ("link", [3, 1, 1, 1])):
            for level in levels:
                record(db.session, a, q, full_submission(q, level), at=at, channel=channel)
        db.session.commit()

    def scores() -> dict:
        result = runner.invoke(args=["scores", "--from", "2026-03-01", "--to", "2026-03-31",
                                     "--questionnaire", "quick", "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    document = scores()
    assert "weighted" not in document["overall"]
    assert all("weighted" not in unit for unit in document["units"])

    # Only the kiosk: the open-link raters have no volume, so nothing is weighted yet.
    runner.invoke(args=["volumes", "import", str(write(tmp_path, HEADER + "A,kiosk,2026-03-01,2026-03-31,300\n"))])
    assert "weighted" not in scores()["overall"]

    runner.invoke(args=["volumes", "import", str(write(tmp_path, HEADER + "A,link,2026-02-01,2026-04-30,267\n"))])
    document = scores()
    units_ = {unit["unit"]: unit for unit in document["units"]}
    link = 267 * 31 / 89   # the row's 89 days, 31 of them in March
    expected = 100 * (300 * 3 / 4 + link * 1 / 4) / (300 + link)
    for block in (document["overall"]["weighted"], units_["A"]["weighted"], units_["P"]["weighted"]):
        assert set(block) == {"index", "ci", "deff"}
        assert block["index"] == pytest.approx(expected)
        assert block["ci"][0] < expected < block["ci"][1]
        assert block["deff"] > 0
    assert document["overall"]["index"] == pytest.approx(50.0)   # the unweighted figure stays
    assert "weighted" not in units_["B"]   # no respondent: nothing to weight
