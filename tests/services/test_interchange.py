"""services.interchange: responses in and out of the wide CSV format, all or nothing.

The format itself is tested in tests/domain/test_interchange.py and the command in
tests/cli/test_responses_interchange.py; these check what the service stores and writes.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from factories import (
    criteria_codes,
    quick,
    record,
    shipped_catalog,
    sipas,
    submission,
    unit_tree,
)
from sqlalchemy import func, select

from survey_app.domain.csv_files import CsvError
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.services.interchange import export_responses, import_responses
from survey_app.services.responses import submission_of

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def units(app):
    with app.app_context():
        made = unit_tree(db.session, "Q1 > P-BN")
        db.session.commit()
        yield made
        db.session.rollback()


def exported(questionnaire_id: str | None = None) -> tuple[int, list[dict[str, str]]]:
    out = io.StringIO()
    count = export_responses(db.session, shipped_catalog(), out, TZ, questionnaire_id)
    return count, list(csv.DictReader(io.StringIO(out.getvalue())))


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def stored() -> list[tuple]:
    return sorted((r.unit.code, r.questionnaire_id, r.channel, r.locale, r.submitted_at, submission_of(r))
                  for r in db.session.scalars(select(Response)))


def test_export_then_import_stores_the_same_responses(units):
    q = sipas()
    record(db.session, units["P-BN"], q, submission(q, TC1=5, PA4=0, expectations=("MD2",),
                                                     profile={"gender": "female"}, comment="=1+1"),
           at=datetime(2026, 3, 2, 2, 15, tzinfo=timezone.utc), channel="kiosk", locale="en")
    record(db.session, units["Q1"], quick(), submission(quick(), DV1=3),
           at=datetime(2026, 3, 1, 17, 0, tzinfo=timezone.utc), channel="paper")
    db.session.commit()
    before = stored()

    count, rows = exported()
    assert count == 2
    # Submission order, local times, the formula neutralised, every column of both files.
    assert [(r["submitted_at"], r["unit"], r["questionnaire"]) for r in rows] == [
        ("2026-03-02T00:00:00+07:00", "Q1", "quick"), ("2026-03-02T09:15:00+07:00", "P-BN", "sipas")]
    assert rows[1]["comment"] == "'=1+1"
    assert set(criteria_codes(q)) | set(criteria_codes(quick())) <= set(rows[0])

    db.session.execute(Response.__table__.delete())
    assert import_responses(db.session, shipped_catalog(), as_csv(rows)) == 2
    db.session.commit()
    assert stored() == before


def test_one_bad_row_rejects_the_file(units):
    q = sipas()
    record(db.session, units["P-BN"], q, submission(q, TC1=4), at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    db.session.commit()
    _, rows = exported("sipas")
    good, bad = dict(rows[0]), {**rows[0], "TC1": "9", "unit": "NOPE"}
    with pytest.raises(CsvError) as caught:
        import_responses(db.session, shipped_catalog(), as_csv([good, bad, good]))
    assert all(problem.startswith("line 3:") for problem in caught.value.problems), caught.value.problems
    assert len(caught.value.problems) == 2  # the unit and the answer, both named
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1  # only the original


def test_export_of_one_questionnaire_has_only_its_columns(units):
    count, rows = exported("quick")
    assert count == 0 and rows == []
    out = io.StringIO()
    export_responses(db.session, shipped_catalog(), out, TZ, "quick")
    header = out.getvalue().splitlines()[0].split(",")
    # "expectations" is always a column, even for a questionnaire without the question.
    assert header == ["submitted_at", "unit", "questionnaire", "channel", "locale",
                      *criteria_codes(quick()), "expectations", "comment"]
