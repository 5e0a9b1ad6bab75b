"""submission_problems: the last check before anything is stored, whichever way it came in."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.domain.questionnaire import load_questionnaire, parse_questionnaire
from survey_app.domain.submission import (
    CHANNELS,
    NOTHING_ANSWERED,
    Submission,
    says_nothing,
    submission_problems,
)

SHIPPED = Path(__file__).resolve().parents[2] / "questionnaires"

# No expectations, no profile, no comment box.
BARE = parse_questionnaire("""\
id: bare
version: 1
languages: [vi]
title: {vi: Khảo sát}
scale:
  levels:
    - {value: 1, label: {vi: Không hài lòng}}
    - {value: 2, label: {vi: Hài lòng}}
  satisfied_from: 2
elements:
  - code: A
    title: {vi: Phục vụ}
    criteria:
      - {code: A1, text: {vi: Công chức lịch sự}}
""")


@pytest.fixture(scope="module")
def sipas():
    return load_questionnaire(SHIPPED / "sipas.yaml")


@pytest.fixture(scope="module")
def quick():
    return load_questionnaire(SHIPPED / "quick.yaml")


def test_a_complete_answer_is_accepted(sipas):
    submission = Submission(
        ratings={code: 5 for code in sipas.criterion_codes},
        expectations=frozenset({"MD1", "MD4", "MD6"}),
        profile={"gender": "female", "age_group": "age35_49", "submission_channel": "online"},
        comment="Cán bộ nhiệt tình.",
    )
    assert submission_problems(sipas, submission) == []


def test_nothing_is_required_in_sipas(sipas):
    # Any one answer is enough, be it only a profile answer, an expectation, a comment or "no opinion".
    for one in (Submission(ratings={"TC1": 0}), Submission(expectations=frozenset({"MD1"})),
                Submission(profile={"gender": "female"}), Submission(comment="Tốt")):
        assert submission_problems(sipas, one) == []


@pytest.mark.parametrize("empty", [Submission(), Submission(comment="  \n ")])
def test_a_submission_that_answers_nothing_is_refused(sipas, quick, empty):
    assert says_nothing(empty)
    assert submission_problems(sipas, empty) == [NOTHING_ANSWERED]
    assert NOTHING_ANSWERED in submission_problems(quick, empty)


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_every_level_of_the_scale_is_an_answer(sipas, value):
    assert submission_problems(sipas, Submission(ratings={"TC1": value})) == []


@pytest.mark.parametrize("value", [6, -1, 10])
def test_a_value_off_the_scale(sipas, value):
    problems = submission_problems(sipas, Submission(ratings={"TC1": 4, "TT2": value}))
    assert len(problems) == 1
    assert problems[0].startswith("TT2: ") and str(value) in problems[0]


def test_zero_is_no_opinion_where_the_scale_offers_it(sipas):
    assert sipas.scale.no_opinion is not None
    assert submission_problems(sipas, Submission(ratings={"CC3": 0})) == []


def test_zero_is_refused_when_the_scale_has_no_no_opinion(quick):
    assert quick.scale.no_opinion is None
    problems = submission_problems(quick, Submission(ratings={"DV1": 3, "DV2": 0}))
    assert len(problems) == 1 and problems[0].startswith("DV2: ")


def test_a_level_beyond_a_shorter_scale(quick):
    # 4 is on the SIPAS scale but not on quick's three levels.
    problems = submission_problems(quick, Submission(ratings={"DV1": 4}))
    assert len(problems) == 1 and problems[0].startswith("DV1: ")


def test_unknown_criterion(sipas):
    problems = submission_problems(sipas, Submission(ratings={"TC9": 4}))
    assert len(problems) == 1 and problems[0].startswith("TC9: ")


def test_a_criterion_of_another_questionnaire(sipas):
    problems = submission_problems(sipas, Submission(ratings={"DV1": 3}))
    assert len(problems) == 1 and problems[0].startswith("DV1: ") and "sipas" in problems[0]


def test_required_missing(quick):
    required = [c.code for c in quick.criteria if c.required]
    assert required == ["DV1"]
    problems = submission_problems(quick, Submission(ratings={"DV2": 2}))
    assert len(problems) == 1 and problems[0].startswith("DV1: ")
    assert submission_problems(quick, Submission(ratings={"DV1": 1})) == []


def test_as_many_expectations_as_allowed(sipas):
    assert submission_problems(sipas, Submission(expectations=frozenset({"MD1", "MD2", "MD3"}))) == []


def test_too_many_expectations(sipas):
    chosen = frozenset({"MD1", "MD2", "MD3", "MD5"})
    problems = submission_problems(sipas, Submission(expectations=chosen))
    assert len(problems) == 1
    assert problems[0].startswith("expectations: ") and str(sipas.expectations.max_choices) in problems[0]


def test_unknown_expectation_option(sipas):
    problems = submission_problems(sipas, Submission(expectations=frozenset({"MD2", "MD9"})))
    assert len(problems) == 1 and problems[0].startswith("expectations: ") and "MD9" in problems[0]


def test_expectations_where_there_is_no_such_question(quick):
    problems = submission_problems(quick, Submission(ratings={"DV1": 3}, expectations=frozenset({"MD1"})))
    assert len(problems) == 1 and problems[0].startswith("expectations: ")


def test_unknown_profile_question(sipas):
    problems = submission_problems(sipas, Submission(profile={"income": "high"}))
    assert len(problems) == 1 and problems[0].startswith("income: ")


def test_unknown_profile_option(sipas):
    problems = submission_problems(sipas, Submission(profile={"gender": "female", "ethnicity": "hoa"}))
    assert len(problems) == 1 and problems[0].startswith("ethnicity: ") and "hoa" in problems[0]


def test_an_option_of_another_profile_question(sipas):
    # "online" is an option of submission_channel, not of gender.
    problems = submission_problems(sipas, Submission(profile={"gender": "online"}))
    assert len(problems) == 1 and problems[0].startswith("gender: ")


def test_comment_up_to_the_maximum_length(sipas):
    longest = "ý" * sipas.comment.max_length
    assert submission_problems(sipas, Submission(comment=longest)) == []


def test_comment_too_long(quick):
    too_long = "a" * (quick.comment.max_length + 1)
    problems = submission_problems(quick, Submission(ratings={"DV1": 3}, comment=too_long))
    assert len(problems) == 1
    assert problems[0].startswith("comment: ") and str(quick.comment.max_length) in problems[0]


def test_comment_without_a_comment_box():
    problems = submission_problems(BARE, Submission(comment="Tốt"))
    assert len(problems) == 1 and problems[0].startswith("comment: ")
    assert not [p for p in submission_problems(BARE, Submission(comment="")) if p.startswith("comment")]


def test_every_problem_is_reported(quick):
    submission = Submission(ratings={"DV2": 7, "XX1": 1}, expectations=frozenset({"MD1"}),
                            profile={"gender": "male"}, comment="b" * 501)
    problems = submission_problems(quick, submission)
    assert sorted(p.split(":")[0] for p in problems) == sorted(
        ["DV2", "XX1", "DV1", "expectations", "gender", "comment"])


def test_the_channels_of_the_design():
    assert set(CHANNELS) >= {"link", "invitation", "kiosk", "paper", "import"}
