"""``flask responses import`` / ``responses export``: the wide CSV interchange format."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from factories import criteria_codes, quick, sipas
from sqlalchemy import delete, func, select

from survey_app import catalog_of
from survey_app.extensions import db
from survey_app.models import Answer, Choice, Response
from survey_app.services import demo, units

UNITS = "code,name,parent\nHCM,Thành phố Hồ Chí Minh,\nQ1,UBND Quận 1,HCM\nP-BN,Phường Bến Nghé,Q1\n"
# The columns the questionnaire files define, in their order.
SIPAS_CRITERIA = criteria_codes(sipas())
QUICK_CRITERIA = criteria_codes(quick())
PROFILE = [question.code for question in sipas().profile]
HEADER = ["submitted_at", "unit", "questionnaire", "channel", "locale", *SIPAS_CRITERIA,
          *QUICK_CRITERIA, "expectations", *PROFILE, "comment"]


@pytest.fixture
def with_units(app):
    with app.app_context():
        units.import_units(db.session, UNITS.encode())
        db.session.commit()
    return app


def csv_text(rows: list[dict[str, str]], header: list[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def write(tmp_path, text: str, name: str = "responses.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row(**cells: str) -> dict[str, str]:
    base = {"submitted_at": "2026-03-02T09:30:00+07:00", "unit": "P-BN", "questionnaire": "sipas",
            "channel": "paper", "locale": "vi"}
    return {**base, **cells}


def snapshot(app) -> dict:
    """Everything stored about responses, independent of ids and of the order of insertion."""
    with app.app_context():
        responses = db.session.scalars(select(Response).order_by(Response.id)).all()
        return {
            "responses": sorted([
                (r.unit.code, r.questionnaire_id, r.questionnaire_version, r.questionnaire_hash,
                 r.locale, r.channel, r.submitted_at, r.comment,
                 sorted((a.item_code, a.value) for a in r.answers),
                 sorted((c.question_code, c.option_code) for c in r.choices))
                for r in responses
            ], key=repr),
            "answers": db.session.scalar(select(func.count()).select_from(Answer)),
            "choices": db.session.scalar(select(func.count()).select_from(Choice)),
        }


def import_file(runner, path):
    return runner.invoke(args=["responses", "import", str(path)])


# ---------------------------------------------------------------- a valid file


VALID = [
    row(TC1="5", TC2="0", TC3="", TC4="4", TT1="3", CC6="1", KQ3="2", expectations="MD3;MD1",
        gender="female", age_group="age25_34", submission_channel="online",
        comment="Cán bộ rất nhiệt tình, cảm ơn!"),
    row(submitted_at="2026-01-01T00:30:00+07:00", unit="Q1", questionnaire="quick", channel="kiosk",
        locale="en", DV1="3", DV2="1", DV4="2", comment="Chờ hơi lâu\nnhưng ổn"),
    row(submitted_at="2025-12-31T17:29:59Z", unit="HCM", channel="link", TC1="0", TC2="0",
        expectations=" MD6 ", comment="'=1+1"),
]


def test_import_stores_every_answer(with_units, runner, tmp_path):
    app = with_units
    result = import_file(runner, write(tmp_path, csv_text(VALID)))
    assert result.exit_code == 0, result.output
    assert "3 responses imported" in result.output

    catalog = catalog_of(app)
    with app.app_context():
        stored = db.session.scalars(select(Response).order_by(Response.id)).all()
        assert len(stored) == 3
        first, second, third = stored

        assert first.unit.code == "P-BN"
        assert (first.questionnaire_id, first.questionnaire_version, first.questionnaire_hash) == (
            "sipas", 1, catalog.get("sipas").content_hash)
        assert (first.channel, first.locale) == ("paper", "vi")
        # 09:30 in Hà Nội is 02:30 UTC, and comes back as an aware UTC time on every database.
        assert first.submitted_at == datetime(2026, 3, 2, 2, 30, tzinfo=timezone.utc)
        assert first.submitted_at.utcoffset().total_seconds() == 0
        # "No opinion" is stored as 0; blank cells (TC3, and every column left empty) are not stored.
        assert sorted((a.item_code, a.value) for a in first.answers) == [
            ("CC6", 1), ("KQ3", 2), ("TC1", 5), ("TC2", 0), ("TC4", 4), ("TT1", 3)
        ]
        assert sorted((c.question_code, c.option_code) for c in first.choices) == [
            ("age_group", "age25_34"), ("expectations", "MD1"), ("expectations", "MD3"),
            ("gender", "female"), ("submission_channel", "online"),
        ]
        assert first.comment == "Cán bộ rất nhiệt tình, cảm ơn!"
        assert first.submission_key is None

        assert second.unit.code == "Q1"
        assert (second.questionnaire_id, second.questionnaire_hash) == ("quick", catalog.get("quick").content_hash)
        assert (second.channel, second.locale) == ("kiosk", "en")
        assert second.submitted_at == datetime(2025, 12, 31, 17, 30, tzinfo=timezone.utc)
        assert sorted((a.item_code, a.value) for a in second.answers) == [("DV1", 3), ("DV2", 1), ("DV4", 2)]
        assert second.choices == []
        assert second.comment == "Chờ hơi lâu\nnhưng ổn"

        assert third.unit.code == "HCM"
        assert third.submitted_at == datetime(2025, 12, 31, 17, 29, 59, tzinfo=timezone.utc)
        assert sorted((a.item_code, a.value) for a in third.answers) == [("TC1", 0), ("TC2", 0)]
        assert [(c.question_code, c.option_code) for c in third.choices] == [("expectations", "MD6")]
        # An apostrophe that neutralised a formula on export is removed again.
        assert third.comment == "=1+1"


def test_a_file_of_one_questionnaire_needs_only_its_columns(with_units, runner, tmp_path):
    header = ["submitted_at", "unit", "questionnaire", "channel", "locale", "DV1", "DV3", "comment"]
    text = csv_text([row(questionnaire="quick", DV1="1", DV3="3", comment="")], header)
    path = tmp_path / "quick.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())  # Excel's "CSV UTF-8" has a BOM
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    with with_units.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert sorted((a.item_code, a.value) for a in stored.answers) == [("DV1", 1), ("DV3", 3)]
        assert stored.comment is None


def test_export_writes_local_times_and_every_column(with_units, runner, tmp_path):
    assert import_file(runner, write(tmp_path, csv_text(VALID))).exit_code == 0
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["responses", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 responses exported" in result.output
    # Comments: readable by the owner only, whatever the umask, even over an older file (issue 16).
    assert out.stat().st_mode & 0o777 == 0o600
    out.chmod(0o644)
    assert runner.invoke(args=["responses", "export", str(out)]).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o600
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    # The leading columns, then every questionnaire's criteria, expectations, profile, comment.
    header = list(rows[0])
    assert header[:5] == ["submitted_at", "unit", "questionnaire", "channel", "locale"]
    assert sorted(header[5:-9]) == sorted([*SIPAS_CRITERIA, *QUICK_CRITERIA])
    assert header[-9:] == ["expectations", *PROFILE, "comment"]
    # Ordered by time; times in Asia/Ho_Chi_Minh with their offset.
    assert [r["submitted_at"] for r in rows] == [
        "2026-01-01T00:29:59+07:00", "2026-01-01T00:30:00+07:00", "2026-03-02T09:30:00+07:00"
    ]
    last = rows[2]
    assert {k: v for k, v in last.items() if v} == {
        "submitted_at": "2026-03-02T09:30:00+07:00", "unit": "P-BN", "questionnaire": "sipas",
        "channel": "paper", "locale": "vi", "TC1": "5", "TC2": "0", "TC4": "4", "TT1": "3",
        "CC6": "1", "KQ3": "2", "expectations": "MD1;MD3", "gender": "female",
        "age_group": "age25_34", "submission_channel": "online",
        "comment": "Cán bộ rất nhiệt tình, cảm ơn!",
    }
    assert rows[0]["comment"] == "'=1+1"  # never runs as a formula in a spreadsheet
    assert rows[1]["comment"] == "Chờ hơi lâu\nnhưng ổn"


def test_export_one_questionnaire_to_stdout(with_units, runner, tmp_path):
    assert import_file(runner, write(tmp_path, csv_text(VALID))).exit_code == 0
    result = runner.invoke(args=["responses", "export", "-", "--questionnaire", "quick"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "submitted_at,unit,questionnaire,channel,locale,DV1,DV2,DV3,DV4,expectations,comment",
        '2026-01-01T00:30:00+07:00,Q1,quick,kiosk,en,3,1,,2,,"Chờ hơi lâu',
        'nhưng ổn"',
    ]
    assert "1 responses exported" in result.stderr

    result = runner.invoke(args=["responses", "export", "-", "--questionnaire", "nope"])
    assert result.exit_code != 0
    assert "unknown questionnaire nope" in result.output


# ---------------------------------------------------------------- bad files change nothing


def test_one_bad_row_rejects_the_file(with_units, runner, tmp_path):
    app = with_units
    assert import_file(runner, write(tmp_path, csv_text(VALID[:1]), "first.csv")).exit_code == 0
    before = snapshot(app)
    rows = [VALID[1], VALID[2], row(TC1="6"), VALID[0]]
    result = import_file(runner, write(tmp_path, csv_text(rows)))
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert problems == ["line 4: TC1: 6 is not an answer on the scale [0, 1, 2, 3, 4, 5]"]
    assert "Nothing was changed." in result.output
    assert snapshot(app) == before
    assert len(before["responses"]) == 1


def test_several_bad_rows_are_all_named(with_units, runner, tmp_path):
    app = with_units
    before = snapshot(app)
    rows = [
        VALID[0],                                                       # line 2: good
        row(unit="KHONGCO", TC1="4"),                                   # line 3: unknown unit
        row(TT5="9"),                                                   # line 4: off the scale
        row(questionnaire="quick", DV1="3", TC1="4"),                   # line 5: a column of another questionnaire
        row(submitted_at="2026-03-02 09:30", TC1="4"),                  # line 6: no offset
        VALID[1],                                                       # line 7: good (multi-line comment)
        row(submitted_at="hôm qua", TC1="4"),                           # line 8: not a time at all
        row(questionnaire="quick", DV2="2"),                            # line 9: required DV1 missing
        row(TC1="năm"),                                                 # line 10: not a number
        row(expectations="MD1;MD2;MD3;MD4", channel="fax", locale="fr"),  # line 11: three problems
        row(questionnaire="sipas2"),                                    # line 12: unknown questionnaire
        VALID[2],                                                       # line 13: good
    ]
    result = import_file(runner, write(tmp_path, csv_text(rows)))
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert sorted({int(p.split(":")[0].removeprefix("line ")) for p in problems}) == [3, 4, 5, 6, 8, 9, 10, 11, 12]
    for expected in [
        "line 3: unknown unit 'KHONGCO'",
        "line 4: TT5: 9 is not an answer on the scale [0, 1, 2, 3, 4, 5]",
        "line 5: column TC1 is not part of questionnaire quick",
        "line 6: submitted_at '2026-03-02 09:30' is not an ISO 8601 time with offset",
        "line 8: submitted_at 'hôm qua' is not an ISO 8601 time with offset",
        "line 9: DV1: an answer is required",
        "line 10: TC1: 'năm' is not a whole number",
        "line 11: channel 'fax' is not one of",
        "line 11: locale 'fr' is not a language of sipas",
        "line 11: expectations: at most 3 choices",
        "line 12: unknown questionnaire 'sipas2'",
    ]:
        assert any(p.startswith(expected) for p in problems), (expected, problems)
    assert "Nothing was changed." in result.output
    assert snapshot(app) == before == {"responses": [], "answers": 0, "choices": 0}


def test_an_unknown_column_rejects_the_file(with_units, runner, tmp_path):
    app = with_units
    header = [*HEADER, "so_ho_so"]
    result = import_file(runner, write(tmp_path, csv_text([VALID[0] | {"so_ho_so": "000.00.12.H29"}], header)))
    assert result.exit_code == 1
    assert "line 1: unknown column 'so_ho_so'" in result.output
    assert snapshot(app)["responses"] == []


def test_a_missing_leading_column_rejects_the_file(with_units, runner, tmp_path):
    header = [c for c in HEADER if c != "channel"]
    result = import_file(runner, write(tmp_path, csv_text([{k: v for k, v in VALID[0].items() if k != "channel"}],
                                                          header)))
    assert result.exit_code == 1
    assert "line 1: missing column 'channel'" in result.output
    assert snapshot(with_units)["responses"] == []


def test_a_row_with_too_many_cells(with_units, runner, tmp_path):
    text = csv_text(VALID[:1]) + "2026-03-02T09:30:00+07:00,P-BN,sipas,paper,vi," + "," * 40 + "\r\n"
    result = import_file(runner, write(tmp_path, text))
    assert result.exit_code == 1
    assert f"line 3: {len(HEADER) + 6} cells, but the header has {len(HEADER)}" in result.output
    assert snapshot(with_units)["responses"] == []


# ---------------------------------------------------------------- round trip


def assert_same_document(after, before, path: str = "$") -> None:
    """Equal, except that floats may differ in their last bits: the respondents come back from
    the database in another order (ids follow the file), and a sum of squares in another order
    rounds differently."""
    if isinstance(before, float):
        assert isinstance(after, float) and math.isclose(after, before, rel_tol=1e-12, abs_tol=1e-12), (
            f"{path}: {after!r} != {before!r}")
    elif isinstance(before, dict):
        assert isinstance(after, dict) and list(after) == list(before), f"{path}: keys differ"
        for key in before:
            assert_same_document(after[key], before[key], f"{path}.{key}")
    elif isinstance(before, list):
        assert isinstance(after, list) and len(after) == len(before), f"{path}: lengths differ"
        for i, (a, b) in enumerate(zip(after, before)):
            assert_same_document(a, b, f"{path}[{i}]")
    else:
        assert type(after) is type(before) and after == before, f"{path}: {after!r} != {before!r}"


def scores_json(runner, *args: str, start: str = "2024-01-01", end: str = "2026-12-31") -> dict:
    result = runner.invoke(args=["scores", "--from", start, "--to", end, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_export_then_import_into_an_empty_database_gives_the_same_scores(app, runner, tmp_path):
    app.config["MIN_RANKED_RESPONSES"] = 5
    with app.app_context():
        made = demo.create_demo(db.session, catalog_of(app), responses=300, seed=7,
                                now=datetime(2026, 6, 15, 16, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
        db.session.commit()
    assert made.responses == 300
    queries = [("--questionnaire", "sipas"), ("--questionnaire", "quick"),
               ("--from", "2026-01-01", "--to", "2026-12-31")]

    def all_scores() -> list[dict]:
        return [scores_json(runner, *args) if "--from" not in args
                else scores_json(runner, start=args[1], end=args[3]) for args in queries]

    before = all_scores()
    # The demo data is not trivial: something to compare, ranks and rank changes included.
    assert before[0]["overall"]["n"] + before[1]["overall"]["n"] == 300
    assert before[1]["overall"]["n"] > 0
    assert any(u["rank"] is not None for u in before[0]["units"])
    assert any(u["rank_change"] is not None for u in before[2]["units"])
    stored_before = snapshot(app)

    exported = tmp_path / "all.csv"
    result = runner.invoke(args=["responses", "export", str(exported)])
    assert result.exit_code == 0, result.output
    assert "300 responses exported" in result.output

    with app.app_context():
        db.session.execute(delete(Choice))
        db.session.execute(delete(Answer))
        db.session.execute(delete(Response))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    emptied = scores_json(runner)
    assert emptied["overall"]["n"] == 0 and emptied["overall"]["index"] is None

    result = import_file(runner, exported)
    assert result.exit_code == 0, result.output
    assert "300 responses imported" in result.output

    after = all_scores()
    assert_same_document(after, before)
    # Everything but the database ids is stored as before (channel and locale included) ...
    assert snapshot(app) == stored_before
    # ... and exporting again gives the same file, byte for byte.
    again = tmp_path / "again.csv"
    assert runner.invoke(args=["responses", "export", str(again)]).exit_code == 0
    assert again.read_bytes() == exported.read_bytes()
