"""services/bulk_responses.py: what a large import writes besides the responses themselves.

The figures' sums (models/figure_cell.py) must come out as a rebuild from the responses makes
them, in the import's transaction: a rejected import leaves them as they were.
"""

from __future__ import annotations

import csv
import io

import pytest
from factories import shipped_catalog, unit_tree
from sqlalchemy import func, select

from survey_app.domain.csv_files import CsvError
from survey_app.extensions import db
from survey_app.models import Answer, Choice, FigureCell, Response
from survey_app.services.figures.cells import decode
from survey_app.services.figures.rebuild import rebuild
from survey_app.services.interchange import import_responses


def rows(count: int) -> bytes:
    """``count`` SIPAS rows over several hours, some in the same hour; a few not plainly
    written (spaces, a leading zero) so that both ways of reading a row are used."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["submitted_at", "unit", "questionnaire", "channel", "locale", "TC1", "TC2",
                     "expectations", "gender", "comment"])
    for i in range(count):
        writer.writerow([f"2026-03-02T{8 + i // 1200:02d}:{i // 20 % 60:02d}:{i % 20:02d}+07:00", "P-BN", "sipas",
                         "import", "vi", f" {1 + i % 5}" if i % 97 == 0 else str(1 + i % 5),
                         "05" if i % 101 == 0 else ("" if i % 3 else "0"),
                         "MD1; MD2" if i % 89 == 0 else ("MD3" if i % 2 else ""),
                         "male" if i % 4 else "", "Tốt\tlắm" if i % 7 == 0 else ""])
    return out.getvalue().encode()


def sums() -> dict:
    """The figures' sums as kept, row by row (rows whose responses are all gone stay at zero)."""
    return {(r.questionnaire_id, r.months, r.month, r.unit_id, r.channel): decode(r.sums).tolist()
            for r in db.session.scalars(select(FigureCell)) if r.responses}


def rebuilt() -> dict:
    """The sums made again from the responses (then put back as they were: rolled back)."""
    db.session.flush()
    savepoint = db.session.begin_nested()
    rebuild(db.session, list(shipped_catalog()))
    found = sums()
    savepoint.rollback()
    return found


@pytest.fixture
def units(app):
    with app.app_context():
        made = unit_tree(db.session, "Q1 > P-BN")
        db.session.commit()
        yield made
        db.session.rollback()


def test_an_import_counts_its_responses_in_the_sums_as_a_rebuild_does(units):
    assert import_responses(db.session, shipped_catalog(), rows(12_001)) == 12_001
    db.session.commit()
    kept = sums()
    # Each response counted once in its month, once in its quarter and once in its year.
    for span in (1, 3, 12):
        assert sum(v[0] for (_, months, _, _, _), v in kept.items() if months == span) == 12_001
    assert kept == rebuilt()
    # Every answer and choice of every row, both kinds of rows alike.
    read = list(csv.DictReader(io.StringIO(rows(12_001).decode())))
    assert db.session.scalar(select(func.count()).select_from(Answer)) == sum(
        bool(row[code].strip()) for row in read for code in ("TC1", "TC2"))
    assert db.session.scalar(select(func.count()).select_from(Choice)) == sum(
        len({code.strip() for code in row["expectations"].split(";") if code.strip()}) + bool(row["gender"])
        for row in read)


def test_a_rejected_import_leaves_the_sums_as_they_were(units):
    assert import_responses(db.session, shipped_catalog(), rows(100)) == 100
    db.session.commit()
    before = sums()
    data = rows(12_000).decode().splitlines()
    data[-1] = data[-1].replace(",import,", ",fax,")
    with pytest.raises(CsvError) as caught:
        import_responses(db.session, shipped_catalog(), "\n".join(data).encode())
    assert caught.value.problems == [
        "line 12001: channel 'fax' is not one of link, invitation, kiosk, paper, import"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 100
    assert sums() == before == rebuilt()
    assert import_responses(db.session, shipped_catalog(), rows(1)) == 1
    db.session.commit()
    assert sums() == rebuilt()
