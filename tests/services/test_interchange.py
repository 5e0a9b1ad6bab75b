"""services.interchange: responses in and out of the wide CSV format, all or nothing.

The format itself is tested in tests/domain/test_interchange.py and the command in
tests/cli/test_responses_interchange.py; these check what the service stores and writes.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
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


# ---------------------------------------------------------------- large files: streamed, in chunks


def many_rows(count: int, unit: str = "P-BN") -> list[dict[str, str]]:
    """``count`` SIPAS rows, one second apart, each with its number as its TC1..TC3 digits."""
    return [{"submitted_at": f"2026-03-02T{8 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}+07:00",
             "unit": unit, "questionnaire": "sipas", "channel": "import", "locale": "vi",
             "TC1": str(1 + i % 5), "TC2": str(1 + i // 5 % 5), "TC3": str(i // 25 % 6),
             "expectations": "MD1;MD4" if i % 2 else "", "gender": "male" if i % 3 else "",
             "comment": "Tốt\nlắm" if i % 7 == 0 else ""} for i in range(count)]


def test_a_bad_last_row_of_a_large_file_stores_nothing(units, tmp_path):
    # More rows than one chunk of BulkResponses (5,000): the first chunks are written before
    # the bad row is read, and go with the rollback.
    rows = many_rows(6000)
    rows[-1] = {**rows[-1], "TC1": "9"}
    path = tmp_path / "big.csv"
    path.write_bytes(as_csv(rows))
    with pytest.raises(CsvError) as caught:
        import_responses(db.session, shipped_catalog(), path)
    assert caught.value.problems == ["line 6001: TC1: 9 is not an answer on the scale [0, 1, 2, 3, 4, 5]"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_large_file_is_stored_whole_with_each_rows_answers(units, tmp_path):
    q = sipas()
    record(db.session, units["Q1"], q, submission(q, TC1=2), at=datetime(2026, 1, 5, tzinfo=timezone.utc))
    db.session.commit()
    rows = many_rows(5003)
    path = tmp_path / "big.csv"
    path.write_bytes(as_csv(rows))
    assert import_responses(db.session, shipped_catalog(), path) == 5003
    db.session.commit()
    imported = db.session.scalars(select(Response).where(Response.channel == "import")
                                  .order_by(Response.submitted_at)).all()
    assert len(imported) == 5003
    for i in (0, 1, 6, 7, 4999, 5000, 5002):  # both sides of the chunk boundary
        response, row = imported[i], rows[i]
        assert response.submitted_at == datetime(2026, 3, 2, 1, tzinfo=timezone.utc) + timedelta(seconds=i)
        assert response.unit.code == "P-BN" and response.locale == "vi"
        assert (response.questionnaire_version, response.questionnaire_hash) == (q.version, q.content_hash)
        ratings = {code: int(row[code]) for code in ("TC1", "TC2", "TC3")}
        expectations = frozenset(filter(None, row["expectations"].split(";")))
        profile = {"gender": row["gender"]} if row["gender"] else {}
        assert submission_of(response) == submission(q, expectations=expectations, profile=profile,
                                                     comment=row["comment"] or None, **ratings)
    # The response stored before keeps its own answers.
    assert submission_of(db.session.scalars(select(Response).where(Response.channel != "import")).one()) == (
        submission(q, TC1=2))


def test_rows_that_are_not_rows_and_bad_answers_are_named_in_line_order(units):
    rows = [{**row, "comment": ""} for row in many_rows(4)]  # one line of text per row
    data = as_csv(rows).decode().splitlines()
    assert len(rows[0]) == 11
    data[2] += ",extra"                        # line 3: one cell too many
    data[4] = data[4].replace(",vi,", ",fr,")  # line 5: not a language of sipas
    with pytest.raises(CsvError) as caught:
        import_responses(db.session, shipped_catalog(), "\n".join(data).encode())
    assert caught.value.problems == ["line 3: 12 cells, but the header has 11",
                                     "line 5: locale 'fr' is not a language of sipas"]


def test_export_in_small_batches_writes_the_same_file(units):
    assert import_responses(db.session, shipped_catalog(), as_csv(many_rows(7))) == 7
    db.session.commit()
    whole, in_threes = io.StringIO(), io.StringIO()
    assert export_responses(db.session, shipped_catalog(), whole, TZ) == 7
    assert export_responses(db.session, shipped_catalog(), in_threes, TZ, batch=3) == 7
    assert in_threes.getvalue() == whole.getvalue()
    assert [row["submitted_at"] for row in csv.DictReader(io.StringIO(whole.getvalue()))] == [
        row["submitted_at"] for row in many_rows(7)]
