"""The wide CSV interchange format: one row per response (README, "Responses CSV"; docs/contracts.md)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from survey_app.domain.catalog import load_catalog
from survey_app.domain.csv_files import read_records
from survey_app.domain.interchange import ResponseRecord, columns, format_record
from survey_app.domain.interchange_reading import parse_record
from survey_app.domain.submission import NOTHING_ANSWERED, Submission

SHIPPED = Path(__file__).resolve().parents[2] / "questionnaires"
CATALOG = load_catalog(SHIPPED, "sipas")
SIPAS, QUICK = CATALOG.get("sipas"), CATALOG.get("quick")
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = {"HCM", "Q1", "P-BN"}
LEADING = ["submitted_at", "unit", "questionnaire", "channel", "locale"]
HEADER = columns([SIPAS, QUICK])


def row(**cells: str) -> dict[str, str]:
    """A row of a file holding both questionnaires: a SIPAS kiosk answer unless told otherwise."""
    record = dict.fromkeys(HEADER, "")
    # A comment, so that the row answers something (a row that answers nothing is refused).
    record.update(submitted_at="2026-01-01T00:30:00+07:00", unit="Q1", questionnaire="sipas",
                  channel="kiosk", locale="vi", comment="Tốt")
    record.update(cells)
    return record


def parsed(record: dict[str, str], line: int = 2) -> ResponseRecord:
    response, problems = parse_record(CATALOG, line, record, UNITS)
    assert problems == []
    assert response is not None
    return response


def rejected(record: dict[str, str], line: int = 7) -> list[str]:
    response, problems = parse_record(CATALOG, line, record, UNITS)
    assert response is None
    assert problems and all(p.startswith(f"line {line}: ") for p in problems), problems
    return problems


def only_problem(record: dict[str, str]) -> str:
    problems = rejected(record)
    assert len(problems) == 1, problems
    return problems[0]


# ---------------------------------------------------------------- columns


def test_columns_of_one_questionnaire():
    assert columns([QUICK]) == [*LEADING, "DV1", "DV2", "DV3", "DV4", "expectations", "comment"]


def test_columns_of_two_questionnaires_are_the_union_in_order():
    sipas_criteria = [f"{e}{i}" for e, n in (("TC", 4), ("TT", 5), ("CC", 6), ("KQ", 3), ("PA", 4))
                      for i in range(1, n + 1)]
    profile = ["gender", "age_group", "ethnicity", "education", "occupation", "respondent_type",
               "submission_channel"]
    quick_criteria = ["DV1", "DV2", "DV3", "DV4"]
    assert columns([SIPAS, QUICK]) == [*LEADING, *sipas_criteria, *quick_criteria, "expectations",
                                       *profile, "comment"]
    assert columns([QUICK, SIPAS]) == [*LEADING, *quick_criteria, *sipas_criteria, "expectations",
                                       *profile, "comment"]


def test_a_questionnaire_twice_gives_its_columns_once():
    assert columns([SIPAS, SIPAS]) == columns([SIPAS])


# ---------------------------------------------------------------- parse_record


def test_a_complete_row():
    response = parsed(row(TC1="5", TT2=" 4 ", CC3="0", expectations="MD1; MD4", gender="female",
                          submission_channel="online", comment="  Cán bộ nhiệt tình  "))
    assert response.unit == "Q1" and response.channel == "kiosk" and response.locale == "vi"
    assert response.questionnaire.id == "sipas"
    assert response.submission == Submission(
        ratings={"TC1": 5, "TT2": 4, "CC3": 0},  # 0 = no opinion; blank cells are left out
        expectations=frozenset({"MD1", "MD4"}),
        profile={"gender": "female", "submission_channel": "online"},
        comment="Cán bộ nhiệt tình",
    )


def test_the_time_is_converted_to_utc():
    submitted_at = parsed(row()).submitted_at
    assert submitted_at == datetime(2025, 12, 31, 17, 30, tzinfo=timezone.utc)
    assert submitted_at.utcoffset() == timedelta(0)
    assert (submitted_at.year, submitted_at.day, submitted_at.hour) == (2025, 31, 17)


def test_a_utc_time_is_accepted():
    assert parsed(row(submitted_at="2026-03-01T02:30:00Z")).submitted_at == datetime(
        2026, 3, 1, 2, 30, tzinfo=timezone.utc)


def test_a_row_that_answers_nothing_is_an_error_on_its_line():
    response, problems = parse_record(CATALOG, 7, row(comment=" "), UNITS)
    assert response is None
    assert problems == [f"line 7: {NOTHING_ANSWERED}"]


def test_a_row_of_the_other_questionnaire():
    response = parsed(row(questionnaire="quick", locale="en", DV1="3", DV4="1"))
    assert response.questionnaire.id == "quick"
    assert response.submission.ratings == {"DV1": 3, "DV4": 1}


def test_unknown_unit():
    problem = only_problem(row(unit="KHONGCO"))
    assert "'KHONGCO'" in problem


def test_value_off_the_scale():
    problem = only_problem(row(TC1="6"))
    assert "TC1" in problem and "6" in problem


def test_no_opinion_where_the_scale_has_none():
    problem = only_problem(row(questionnaire="quick", DV1="0"))
    assert "DV1" in problem


def test_not_a_whole_number():
    problem = only_problem(row(TC1="bốn"))
    assert "TC1" in problem and "'bốn'" in problem


def test_a_column_of_another_questionnaire_with_a_value():
    problem = only_problem(row(DV1="3"))
    assert "DV1" in problem and "sipas" in problem


def test_a_column_of_another_questionnaire_may_be_empty():
    parsed(row(DV1="", DV2="  "))


def test_an_unknown_column_with_a_value():
    problem = only_problem({**row(), "so_ho_so": "000.00.12.H29-260101-0001"})
    assert "so_ho_so" in problem


@pytest.mark.parametrize("text", ["01/01/2026 00:30", "hôm qua", "", "2026-13-01T00:00:00+07:00"])
def test_bad_timestamp(text):
    problem = only_problem(row(submitted_at=text))
    assert "submitted_at" in problem and f"'{text}'" in problem


@pytest.mark.parametrize("text", ["2026-01-01T00:30:00", "2026-01-01"])
def test_a_time_without_offset_is_refused(text):
    problem = only_problem(row(submitted_at=text))
    assert "submitted_at" in problem


@pytest.mark.parametrize("channel", ["", "email", "Kiosk"])
def test_bad_channel(channel):
    problem = only_problem(row(channel=channel))
    assert f"'{channel}'" in problem


@pytest.mark.parametrize("locale", ["", "fr", "VI"])
def test_bad_locale(locale):
    problem = only_problem(row(locale=locale))
    assert f"'{locale}'" in problem and "sipas" in problem


def test_unknown_questionnaire():
    problem = only_problem(row(questionnaire="sipas2"))
    assert "'sipas2'" in problem


def test_the_rules_of_a_submission_apply():
    problems = rejected(row(expectations="MD1;MD2;MD3;MD4", gender="unknown", TC1="4"))
    assert len(problems) == 2
    assert any("expectations" in p for p in problems) and any("gender" in p for p in problems)


def test_every_problem_of_a_row_is_reported():
    problems = rejected(row(submitted_at="hôm qua", unit="KHONGCO", channel="fax", locale="fr",
                            TC1="9", DV1="3"))
    assert len(problems) == 6


# ---------------------------------------------------------------- format_record and the round trip


def a_response(**changes) -> ResponseRecord:
    values = dict(
        submitted_at=datetime(2025, 12, 31, 17, 30, tzinfo=timezone.utc),
        unit="P-BN", questionnaire=SIPAS, channel="invitation", locale="en",
        submission=Submission(
            ratings={"TC1": 5, "TT5": 1, "CC2": 0, "PA4": 3},
            expectations=frozenset({"MD6", "MD2"}),
            profile={"age_group": "age25_34", "respondent_type": "organisation"},
            comment="=SUM(A1:A9) is what I'd rate them",
        ),
    )
    values.update(changes)
    return ResponseRecord(**values)


def test_format_record_writes_local_time_and_neutralises_the_comment():
    cells = dict(zip(HEADER, format_record(a_response(), HEADER, HCM)))
    assert list(cells) == HEADER
    assert cells["submitted_at"] == "2026-01-01T00:30:00+07:00"
    assert cells["questionnaire"] == "sipas" and cells["unit"] == "P-BN"
    assert (cells["TC1"], cells["TT5"], cells["CC2"], cells["PA4"], cells["TC2"]) == ("5", "1", "0", "3", "")
    assert cells["DV1"] == ""  # a column of the other questionnaire stays empty
    assert set(cells["expectations"].split(";")) == {"MD2", "MD6"}
    assert cells["respondent_type"] == "organisation" and cells["gender"] == ""
    assert cells["comment"] == "'=SUM(A1:A9) is what I'd rate them"


@pytest.mark.parametrize("comment", [
    "=SUM(A1:A9) is what I'd rate them",
    "+84 901 234 567, gọi lại giúp tôi",
    "-- không có gì --",
    "@ cán bộ: cảm ơn",
    "'trích dẫn' thôi",
    "Chờ hơi lâu\nnhưng ổn",
    None,
])
def test_round_trip(comment):
    original = a_response(submission=Submission(
        ratings={"TC1": 5, "CC2": 0}, expectations=frozenset({"MD1"}), profile={"gender": "male"},
        comment=comment))
    cells = format_record(original, HEADER, HCM)
    assert parsed(dict(zip(HEADER, cells))) == original


def test_round_trip_through_a_csv_file():
    responses = [
        a_response(),
        a_response(questionnaire=QUICK, locale="vi", channel="paper",
                   submission=Submission(ratings={"DV1": 3, "DV3": 1}, comment="Tốt")),
    ]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(format_record(response, HEADER, HCM) for response in responses)
    header, records = read_records(out.getvalue().encode("utf-8"), expected=HEADER, required=LEADING)
    assert header == HEADER
    assert [line for line, _ in records] == [2, 3]
    assert [parsed(record, line) for line, record in records] == responses


def test_a_comment_that_already_starts_with_an_apostrophe_and_equals_survives_the_round_trip():
    from survey_app.domain.csv_files import neutralise, restore_neutralised

    for comment in ("'=x", "''+1", "=SUM(A1)", "plain"):
        assert restore_neutralised(neutralise(comment)) == comment
    assert neutralise("'=x") == "''=x"
