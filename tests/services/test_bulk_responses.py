"""services/bulk_responses.py: what a large import writes besides the responses themselves.

The tallies of response_tallies (the officers' pages' fingerprints) must come out as the
per-row trigger would count them, and the trigger must be in place afterwards whether the
import was stored or rolled back: on SQLite the writer sets it aside inside its transaction.
"""

from __future__ import annotations

import csv
import io

import pytest
from factories import shipped_catalog, unit_tree
from sqlalchemy import func, select, text

from survey_app.domain.csv_files import CsvError
from survey_app.extensions import db
from survey_app.models import Answer, Choice, Response
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


def tallies() -> dict[tuple[str, int], int]:
    return {(q, hour): changes for q, hour, changes in db.session.execute(
        text("SELECT questionnaire_id, hour, changes FROM response_tallies"))}


def counted_by_hour() -> dict[tuple[str, int], int]:
    """What the per-row trigger would have added: one per response and hour."""
    hour = ("floor(extract(epoch FROM submitted_at) / 3600)::bigint"
            if db.session.get_bind().dialect.name == "postgresql"
            else "CAST(strftime('%s', submitted_at) AS INTEGER) / 3600")
    return {(q, h): n for q, h, n in db.session.execute(
        text(f"SELECT questionnaire_id, {hour}, count(*) FROM responses GROUP BY 1, 2"))}


def tally_trigger_count() -> int:
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalar(text("SELECT count(*) FROM pg_trigger WHERE tgname = 'responses_tally_insert'"))
    return db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                  "AND name = 'responses_tally_insert'"))


@pytest.fixture
def units(app):
    with app.app_context():
        made = unit_tree(db.session, "Q1 > P-BN")
        db.session.commit()
        yield made
        db.session.rollback()


def test_an_import_counts_its_responses_in_the_tallies_as_the_trigger_does(units):
    assert import_responses(db.session, shipped_catalog(), rows(12_001)) == 12_001
    db.session.commit()
    assert sum(tallies().values()) == 12_001
    assert tallies() == counted_by_hour()
    assert tally_trigger_count() == 1
    # Every answer and choice of every row, both kinds of rows alike.
    read = list(csv.DictReader(io.StringIO(rows(12_001).decode())))
    assert db.session.scalar(select(func.count()).select_from(Answer)) == sum(
        bool(row[code].strip()) for row in read for code in ("TC1", "TC2"))
    assert db.session.scalar(select(func.count()).select_from(Choice)) == sum(
        len({code.strip() for code in row["expectations"].split(";") if code.strip()}) + bool(row["gender"])
        for row in read)


def test_a_rejected_import_leaves_the_trigger_and_the_tallies_as_they_were(units):
    assert import_responses(db.session, shipped_catalog(), rows(100)) == 100
    db.session.commit()
    before = tallies()
    data = rows(12_000).decode().splitlines()
    data[-1] = data[-1].replace(",import,", ",fax,")
    with pytest.raises(CsvError) as caught:
        import_responses(db.session, shipped_catalog(), "\n".join(data).encode())
    assert caught.value.problems == [
        "line 12001: channel 'fax' is not one of link, invitation, kiosk, paper, import"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 100
    assert tallies() == before == counted_by_hour()
    assert tally_trigger_count() == 1
    # The trigger still counts a response added after it.
    db.session.execute(text("DELETE FROM responses WHERE id = (SELECT min(id) FROM responses)"))
    assert import_responses(db.session, shipped_catalog(), rows(1)) == 1
    db.session.commit()
    assert sum(tallies().values()) == 102  # 100, a deletion and one more
