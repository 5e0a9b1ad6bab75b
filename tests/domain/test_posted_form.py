"""plain_submission: a posted form read straight against its questionnaire; anything unusual is
left (None) to the full form validation, which explains it."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.domain.posted_form import plain_submission
from survey_app.domain.questionnaire import load_questionnaire
from survey_app.domain.submission import Submission

SHIPPED = Path(__file__).resolve().parents[2] / "questionnaires"
SIPAS = load_questionnaire(SHIPPED / "sipas.yaml")
QUICK = load_questionnaire(SHIPPED / "quick.yaml")


def read(q, form: dict[str, list[str]]):
    return plain_submission(q, lambda name: form.get(name, []))


def test_a_full_form_gives_every_answer():
    form = {code: [str(i % 5 + 1)] for i, code in enumerate(SIPAS.criterion_codes)}
    form |= {"TC2": ["0"], "expectations": ["MD1", "MD3"], "gender": ["female"], "age_group": [""],
             "comment": ["  Nhanh.\r\nCảm ơn  "], "csrf_token": ["x"], "website": [""]}
    ratings = {code: i % 5 + 1 for i, code in enumerate(SIPAS.criterion_codes)} | {"TC2": 0}
    assert read(SIPAS, form) == Submission(ratings, frozenset({"MD1", "MD3"}), {"gender": "female"},
                                           "Nhanh.\nCảm ơn")


def test_blank_questions_are_left_out():
    assert read(SIPAS, {"TC1": ["4"], "TC3": [""], "comment": ["   "]}) == Submission({"TC1": 4})
    assert read(SIPAS, {"comment": ["Chỉ góp ý"]}) == Submission(comment="Chỉ góp ý")


@pytest.mark.parametrize("form", [
    {},                                              # nothing answered
    {"TC1": [""], "comment": [" \r\n "]},            # still nothing
    {"TC1": ["6"]},                                  # not on the scale
    {"TC1": ["4 "]},                                 # not exactly an option
    {"TC1": ["4", "5"]},                             # one question posted twice
    {"TC1": ["4"], "gender": ["robot"]},             # not an option of the profile question
    {"TC1": ["4"], "expectations": ["MD1", "MD2", "MD3", "MD4"]},  # more than three
    {"TC1": ["4"], "expectations": ["MD1", "MD1", "MD1", "MD1"]},  # counted as posted, as the form does
    {"TC1": ["4"], "expectations": [""]},            # a blank option is not an option
    {"TC1": ["4"], "comment": ["x" * 2001]},         # over the comment's limit
    {"TC1": ["4"], "comment": ["a\x00b"]},           # a control character
    {"TC1": ["4"], "comment": ["one", "two"]},       # two comments
])
def test_anything_unusual_is_left_to_the_form(form):
    assert read(SIPAS, form) is None


def test_a_comment_at_the_limit_counts_a_line_break_once():
    text = "x" * 1998 + "\r\n" + "y"  # 2001 characters as posted, 2000 as the browser counts
    assert read(SIPAS, {"comment": [text]}) == Submission(comment="x" * 1998 + "\ny")


def test_a_required_question_and_a_scale_without_no_opinion():
    assert read(QUICK, {"DV1": ["3"], "DV2": ["1"]}) == Submission({"DV1": 3, "DV2": 1})
    assert read(QUICK, {"DV2": ["1"]}) is None       # DV1 is required
    assert read(QUICK, {"DV1": ["0"]}) is None       # no "no opinion" on this scale
    assert read(QUICK, {"DV1": ["4"]}) is None       # a level of another scale
