"""RowReader.quick: the import's fast way through plainly written rows must accept no row that
RowReader.read refuses, and give the same response for every row it accepts."""

from __future__ import annotations

import random
from pathlib import Path

from survey_app.domain.catalog import load_catalog
from survey_app.domain.interchange import columns, flat_record
from survey_app.domain.interchange_reading import RowReader

SHIPPED = Path(__file__).resolve().parents[2] / "questionnaires"
CATALOG = load_catalog(SHIPPED, "sipas")
SIPAS, QUICK = CATALOG.get("sipas"), CATALOG.get("quick")
HEADER = columns([SIPAS, QUICK])
UNITS = {"Q1": 1, "P-BN": 2}

# Cells a row may hold, column by column: those an export writes, then others, good or bad.
TIMES = (["2026-01-01T00:30:00+07:00", "2026-03-01T02:30:00Z", "2026-03-01T02:30:00.250+00:00"],
         [" 2026-01-01T00:30:00+07:00", "2026-01-01T00:30:00", "2026-01-01", "hôm qua", ""])
UNIT_CELLS = (["Q1", "P-BN"], [" Q1", "q1", "KHONGCO", ""])
QUESTIONNAIRE_CELLS = (["sipas", "quick"], [" sipas", "sipas2", ""])
CHANNEL_CELLS = (["kiosk", "paper", "import", "link", "invitation"], [" paper", "fax", "Kiosk", ""])
LOCALE_CELLS = (["vi", "en"], [" vi", "fr", "VI", ""])
RATING_CELLS = (["", "1", "2", "3", "4", "5", "0"], [" 4", "05", "6", "-1", "bốn", " ", "4.0", "٤"])
EXPECTATION_CELLS = (["", "MD1", "MD1;MD4", "MD2;MD3;MD6"],
                     ["MD1;MD2;MD3;MD4", "MD1; MD4", "MD1;MD1", "MD1;", ";", "MD9", " MD6 "])
COMMENT_CELLS = (["", "", "Tốt", "'=1+1", "Chờ hơi lâu\nnhưng ổn", "tab\tok"],
                 ["  Cán bộ nhiệt tình  ", "Chờ hơi lâu\r\nnhưng ổn", " ", "x" * 2001, "a\x00b", "'trích dẫn'",
                  "\u2028"])


def pick(rng: random.Random, cells: tuple[list[str], list[str]], odd: float = 0.04) -> str:
    return rng.choice(cells[1] if rng.random() < odd else cells[0])


def random_row(rng: random.Random) -> list[str]:
    questionnaire = pick(rng, QUESTIONNAIRE_CELLS)
    own = QUICK if questionnaire.strip() == "quick" else SIPAS
    cells = dict.fromkeys(HEADER, "")
    cells.update(submitted_at=pick(rng, TIMES), unit=pick(rng, UNIT_CELLS), questionnaire=questionnaire,
                 channel=pick(rng, CHANNEL_CELLS), locale=pick(rng, LOCALE_CELLS),
                 expectations=pick(rng, EXPECTATION_CELLS, 0.1), comment=pick(rng, COMMENT_CELLS, 0.1))
    sparse = rng.random() < 0.3
    for code in own.criterion_codes:
        cells[code] = "" if sparse and rng.random() < 0.95 else pick(rng, RATING_CELLS, 0.01)
    if rng.random() < 0.03:  # a cell of the other questionnaire's criteria
        other = SIPAS if own is QUICK else QUICK
        cells[rng.choice(other.criterion_codes)] = rng.choice(["3", " ", ""])
    if own is SIPAS:
        for question in SIPAS.profile:
            options = [option.code for option in question.options]
            cells[question.code] = pick(rng, (["", "", *options], [" " + options[0], "unknown"]), 0.02)
    return [cells[column] for column in HEADER]


def test_quick_accepts_only_what_read_accepts_and_reads_it_the_same():
    rng = random.Random(8)
    reader = RowReader(CATALOG, HEADER, UNITS)
    accepted = quick_accepted = 0
    for line in range(2, 30_002):
        cells = random_row(rng)
        record, problems = reader.read(line, cells)
        quick = reader.quick(cells)
        if quick is not None:
            quick_accepted += 1
            assert problems == [], (cells, problems)
            expected = flat_record(record)
            assert quick[:5] == expected[:5]
            assert sorted(quick[5]) == sorted(expected[5])
            assert sorted(quick[6]) == sorted(expected[6])
            assert quick[7] == expected[7]
        if not problems:
            accepted += 1
    # The comparison means something: many rows of each kind.
    assert quick_accepted > 1000 and accepted > quick_accepted + 1000
