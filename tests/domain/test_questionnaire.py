"""The questionnaire model and its loader: the shipped files, every check, the content hash."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from survey_app.domain.questionnaire import (
    NO_OPINION,
    RESERVED_CODES,
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
)

SHIPPED = Path(__file__).resolve().parents[2] / "questionnaires"

# The smallest valid questionnaire. The trailing comments are the line numbers that the
# error messages below must cite.
MINIMAL = """\
id: mini                                                  # 1
version: 1                                                # 2
languages: [vi, en]                                       # 3
title: {vi: Khảo sát nhanh, en: Quick survey}             # 4
scale:                                                    # 5
  levels:                                                 # 6
    - value: 1                                            # 7
      label: {vi: Không hài lòng, en: Dissatisfied}       # 8
    - value: 2                                            # 9
      label: {vi: Hài lòng, en: Satisfied}                # 10
  satisfied_from: 2                                       # 11
elements:                                                 # 12
  - code: A                                               # 13
    title: {vi: Phục vụ, en: Service}                     # 14
    criteria:                                             # 15
      - code: A1                                          # 16
        text: {vi: Công chức lịch sự, en: Staff were polite}  # 17
"""


def edit(text: str, lines: dict[int, str]) -> str:
    """``text`` with the given (1-based) lines replaced; the other lines keep their numbers."""
    result = text.splitlines()
    for number, replacement in lines.items():
        result[number - 1] = replacement
    return "\n".join(result) + "\n"


def append(text: str, more: str, indent: int = 0) -> str:
    """``text`` followed by ``more`` (dedented, then indented by ``indent`` spaces).

    Appended to MINIMAL, the first line of ``more`` is line 18.
    """
    return text + textwrap.indent(textwrap.dedent(more), " " * indent)


def problems_of(text: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def only_problem(text: str) -> str:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


# ---------------------------------------------------------------- the shipped files


@pytest.fixture(scope="module")
def sipas():
    return load_questionnaire(SHIPPED / "sipas.yaml")


@pytest.fixture(scope="module")
def quick():
    return load_questionnaire(SHIPPED / "quick.yaml")


def test_sipas_has_the_five_elements_and_22_criteria_of_sipas_2017_2020(sipas):
    criteria_per_element = {"TC": 4, "TT": 5, "CC": 6, "KQ": 3, "PA": 4}
    assert [e.code for e in sipas.elements] == list(criteria_per_element)
    for element in sipas.elements:
        count = criteria_per_element[element.code]
        assert [c.code for c in element.criteria] == [f"{element.code}{i}" for i in range(1, count + 1)]
    assert len(sipas.criteria) == 22
    assert sipas.criterion_codes[0] == "TC1" and sipas.criterion_codes[-1] == "PA4"


def test_sipas_expectations_profile_and_languages(sipas):
    assert sipas.id == "sipas" and sipas.version == 1
    assert sipas.languages == ("vi", "en") and sipas.default_language == "vi"
    assert [o.code for o in sipas.expectations.options] == ["MD1", "MD2", "MD3", "MD4", "MD5", "MD6"]
    assert sipas.expectations.max_choices == 3
    assert [p.code for p in sipas.profile] == [
        "gender", "age_group", "ethnicity", "education", "occupation", "respondent_type",
        "submission_channel",
    ]
    assert {o.code for o in sipas.profile_question("submission_channel").options} == {
        "in_person", "postal", "online"}
    assert sipas.profile_question("income") is None
    assert sipas.comment is not None


def test_sipas_scale_is_the_five_levels_of_the_design(sipas):
    scale = sipas.scale
    assert scale.values == (1, 2, 3, 4, 5)
    assert [level.label["vi"] for level in scale.levels] == [
        "Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
    assert scale.satisfied_from == 4
    assert scale.no_opinion is not None and set(scale.no_opinion) == {"vi", "en"}
    assert NO_OPINION not in scale.values


def test_every_text_of_sipas_is_in_both_languages(sipas):
    texts = [sipas.title, sipas.intro, sipas.scale.no_opinion, sipas.expectations.question,
             sipas.comment.label]
    texts += [level.label for level in sipas.scale.levels]
    texts += [e.title for e in sipas.elements] + [c.text for c in sipas.criteria]
    texts += [o.label for o in sipas.expectations.options]
    texts += [p.question for p in sipas.profile] + [o.label for p in sipas.profile for o in p.options]
    for text in texts:
        assert set(text) == {"vi", "en"} and all(text.values()), text


def test_quick_is_a_small_questionnaire(quick):
    assert quick.id == "quick"
    assert len(quick.elements) == 1
    assert 3 <= len(quick.criteria) <= 5
    assert quick.scale.satisfied_from in quick.scale.values
    assert quick.scale.no_opinion is None
    assert quick.expectations is None and quick.profile == ()


def test_the_shipped_files_have_different_hashes(sipas, quick):
    assert len(sipas.content_hash) == 64 and int(sipas.content_hash, 16) >= 0
    assert sipas.content_hash != quick.content_hash


def test_text_falls_back_to_the_default_language(sipas):
    title = sipas.elements[0].title
    assert sipas.text(title, "en") == title["en"]
    assert sipas.text(title, "fr") == title["vi"]


# ---------------------------------------------------------------- a valid file


def test_minimal_file_loads_with_the_defaults():
    q = parse_questionnaire(MINIMAL)
    assert q.id == "mini" and q.criterion_codes == ("A1",)
    assert q.criteria[0].required is False
    assert q.intro is None and q.expectations is None and q.profile == () and q.comment is None
    assert q.scale.no_opinion is None


def test_defaults_of_expectations_and_comment_box():
    q = parse_questionnaire(append(MINIMAL, """\
        expectations:
          question: {vi: Cần cải thiện điều gì, en: What should improve}
          options:
            - {code: o1, label: {vi: Thủ tục, en: Procedures}}
            - {code: o2, label: {vi: Thái độ, en: Attitude}}
            - {code: o3, label: {vi: Cơ sở vật chất, en: Premises}}
        comment:
          label: {vi: Ý kiến khác, en: Anything else}
    """))
    assert q.expectations.max_choices == 3
    assert q.comment.max_length == 2000


def test_values_are_stripped_of_spaces():
    q = parse_questionnaire(edit(MINIMAL, {17: '        text: {vi: "  Công chức lịch sự ", en: Staff were polite}'}))
    assert q.criteria[0].text["vi"] == "Công chức lịch sự"


def test_load_questionnaire_names_the_file_in_messages(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(append(MINIMAL, "colour: red\n"), encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert caught.value.problems[0].startswith(f"{path}:18: ")


# ---------------------------------------------------------------- one problem, one line


def test_unknown_key_at_the_top():
    problem = only_problem(append(MINIMAL, "colour: red\n"))
    assert problem.startswith("<string>:18: ") and "colour" in problem


def test_unknown_key_inside_a_criterion():
    problem = only_problem(append(MINIMAL, "        colour: red\n"))
    assert problem.startswith("<string>:18: ") and "colour" in problem


def test_unknown_key_is_reported_on_its_own_line_not_its_values():
    problem = only_problem(append(MINIMAL, """\
        colour:
          vi: đỏ
    """))
    assert problem.startswith("<string>:18: ") and "colour" in problem


def test_missing_key_is_reported_where_it_belongs():
    # Line 17 (the criterion's text) becomes a comment: the criterion starting on line 16 has no text.
    problem = only_problem(edit(MINIMAL, {17: "        # no text"}))
    assert problem.startswith("<string>:16: ") and "text" in problem


def test_duplicate_yaml_key():
    problem = only_problem(append(MINIMAL, "version: 2\n"))
    assert problem.startswith("<string>:18: ") and "duplicate key 'version'" in problem


def test_duplicate_key_inside_a_text():
    problem = only_problem(edit(MINIMAL, {17: "        text: {vi: Lịch sự, en: Polite, vi: Nhã nhặn}"}))
    assert problem.startswith("<string>:17: ") and "'vi'" in problem


def test_a_key_yaml_does_not_read_as_text_is_reported_not_a_crash():
    # YAML 1.1 reads an unquoted `no` as false and `1` as a number.
    problems = problems_of(append(MINIMAL, "no: 1\n2: two\n"))
    assert [p.split(" ")[0] for p in problems] == ["<string>:18:", "<string>:19:"]
    assert "'no'" in problems[0] and "'2'" in problems[1]


def test_duplicate_criterion_code_across_elements_cites_the_first_line():
    problem = only_problem(append(MINIMAL, """\
        - code: B
          title: {vi: Kết quả, en: Result}
          criteria:
            - code: A1
              text: {vi: Đúng hẹn, en: On time}
    """, indent=2))
    assert problem.startswith("<string>:21: ") and "'A1'" in problem and "line 16" in problem


def test_a_profile_code_may_not_repeat_a_criterion_code():
    problem = only_problem(append(MINIMAL, """\
        profile:
          - code: A1
            question: {vi: Giới tính, en: Gender}
            options:
              - {code: male, label: {vi: Nam, en: Male}}
    """))
    assert problem.startswith("<string>:19: ") and "'A1'" in problem and "line 16" in problem


def test_duplicate_option_code():
    problem = only_problem(append(MINIMAL, """\
        profile:
          - code: gender
            question: {vi: Giới tính, en: Gender}
            options:
              - {code: male, label: {vi: Nam, en: Male}}
              - {code: male, label: {vi: Nữ, en: Female}}
    """))
    assert problem.startswith("<string>:23: ") and "'male'" in problem


def test_missing_translation():
    problem = only_problem(edit(MINIMAL, {17: "        text: {vi: Công chức lịch sự}"}))
    assert problem.startswith("<string>:17: ") and "missing translation" in problem and "en" in problem


def test_empty_translation_is_missing():
    problem = only_problem(edit(MINIMAL, {17: '        text: {vi: "", en: Staff were polite}'}))
    assert problem.startswith("<string>:17: ") and "missing translation for vi" in problem


def test_translation_for_an_undeclared_language():
    problem = only_problem(edit(MINIMAL, {4: "title: {vi: Khảo sát nhanh, en: Quick survey, fr: Enquête}"}))
    assert problem.startswith("<string>:4: ") and "fr" in problem


def test_language_listed_twice():
    problem = only_problem(edit(MINIMAL, {3: "languages: [vi, en, vi]"}))
    assert problem.startswith("<string>:3: ") and "twice" in problem


def test_language_must_be_a_language_code():
    problems = problems_of(edit(MINIMAL, {3: "languages: [vi, Vietnamese]"}))
    assert problems[0].startswith("<string>:3: ") and "'Vietnamese'" in problems[0]
    # ... and then every text lacks that translation and has an undeclared 'en' one.
    assert any(p.startswith("<string>:4: ") and "Vietnamese" in p for p in problems)


def test_scale_level_without_label():
    problem = only_problem(edit(MINIMAL, {8: "      # no label"}))
    assert problem.startswith("<string>:7: ") and "label" in problem


def test_scale_without_levels():
    text = edit(MINIMAL, {line: "  # removed" for line in (6, 7, 8, 9, 10)})
    problem = only_problem(text)
    assert problem.startswith("<string>:5: ") and "levels" in problem


def test_scale_needs_two_levels_at_least():
    problem = only_problem(edit(MINIMAL, {9: "    # removed", 10: "    # removed", 11: "  satisfied_from: 1"}))
    assert problem.startswith("<string>:6: ")


@pytest.mark.parametrize("first, second", [(1, 3), (0, 1), (2, 1)])
def test_scale_must_be_numbered_1_to_n(first, second):
    text = edit(MINIMAL, {7: f"    - value: {first}", 9: f"    - value: {second}",
                          11: f"  satisfied_from: {second}"})
    problem = only_problem(text)
    assert problem.startswith("<string>:6: ") and "numbered" in problem


@pytest.mark.parametrize("satisfied_from", [0, 3, 5])
def test_satisfied_from_outside_the_levels(satisfied_from):
    problem = only_problem(edit(MINIMAL, {11: f"  satisfied_from: {satisfied_from}"}))
    assert problem.startswith("<string>:11: ") and "satisfied_from" in problem


def test_satisfied_from_defaults_to_4_which_a_two_level_scale_lacks():
    problem = only_problem(edit(MINIMAL, {11: "  # satisfied_from left out"}))
    assert problem.startswith("<string>:5: ") and "satisfied_from" in problem


def test_max_choices_larger_than_the_options():
    problem = only_problem(append(MINIMAL, """\
        expectations:
          question: {vi: Cần cải thiện điều gì, en: What should improve}
          max_choices: 3
          options:
            - {code: o1, label: {vi: Thủ tục, en: Procedures}}
            - {code: o2, label: {vi: Thái độ, en: Attitude}}
    """))
    assert problem.startswith("<string>:20: ") and "max_choices" in problem


@pytest.mark.parametrize("code", sorted(RESERVED_CODES))
def test_reserved_codes(code):
    problem = only_problem(edit(MINIMAL, {16: f"      - code: {code}"}))
    assert problem.startswith("<string>:16: ") and f"'{code}' is reserved" in problem


def test_the_csv_columns_are_reserved():
    assert {"submitted_at", "unit", "questionnaire", "channel", "locale", "expectations",
            "comment"} <= RESERVED_CODES


@pytest.mark.parametrize("code", ["1A", "A-1", "A 1", "Tiêu_chí", "_A", "A" * 33, '""'])
def test_bad_code(code):
    problem = only_problem(edit(MINIMAL, {16: f"      - code: {code}"}))
    assert problem.startswith("<string>:16: ") and "code" in problem


def test_longest_code_is_32_characters():
    q = parse_questionnaire(edit(MINIMAL, {16: f"      - code: {'A' * 32}"}))
    assert q.criterion_codes == ("A" * 32,)


@pytest.mark.parametrize("version", ["0", "one"])
def test_version_is_a_positive_whole_number(version):
    problem = only_problem(edit(MINIMAL, {2: f"version: {version}"}))
    assert problem.startswith("<string>:2: ") and "version" in problem


def test_not_yaml_at_all():
    problem = only_problem("id: mini\nversion: 1\nlanguages: vi: en\n")
    assert problem.startswith("<string>:3: ") and "not valid YAML" in problem


def test_tab_indentation_is_not_yaml():
    problem = only_problem("id: mini\n\tversion: 1\n")
    assert problem.startswith("<string>:2: ") and "not valid YAML" in problem


@pytest.mark.parametrize("text", ["", "# only a comment\n", "just a sentence\n", "- a\n- b\n"])
def test_empty_file_or_not_a_mapping(text):
    problem = only_problem(text)
    assert problem.startswith("<string>:1: ") and "mapping" in problem


def test_content_hash_may_not_be_written_in_the_file():
    problem = only_problem(append(MINIMAL, "content_hash: 0123abcd\n"))
    assert problem.startswith("<string>:18: ") and "content_hash" in problem


def test_several_problems_are_all_reported_in_line_order():
    text = edit(MINIMAL, {
        16: "      - code: comment",
        4: "title: {vi: Khảo sát nhanh}",
        11: "  satisfied_from: 9",
    })
    problems = problems_of(text)
    assert [p.split(" ")[0] for p in problems] == ["<string>:4:", "<string>:11:", "<string>:16:"]


def test_schema_problems_are_all_reported_too():
    text = append(edit(MINIMAL, {2: "version: 0", 16: "      - code: 1A"}), "colour: red\n")
    problems = problems_of(text)
    assert [p.split(" ")[0] for p in problems] == ["<string>:2:", "<string>:16:", "<string>:18:"]


# ---------------------------------------------------------------- content hash

REFORMATTED = """\
# The same questionnaire as MINIMAL: other comments, spacing, quoting, order and style.
version: 1
id: "mini"
title:
  en: Quick survey
  vi: 'Khảo sát nhanh'

languages:
  - vi
  - en
elements:
- code: A
  criteria:
  - text:
      vi: Công chức lịch sự
      en: Staff were polite
    code: A1
  title: {en: Service, vi: Phục vụ}
scale:
  satisfied_from: 2    # level 2 counts as satisfied
  levels:
  - {value: 1, label: {vi: Không hài lòng, en: Dissatisfied}}
  - {value: 2, label: {vi: Hài lòng, en: Satisfied}}
"""


def test_hash_ignores_comments_spacing_and_layout():
    assert parse_questionnaire(REFORMATTED).content_hash == parse_questionnaire(MINIMAL).content_hash


def test_hash_does_not_depend_on_the_file_name():
    assert (parse_questionnaire(MINIMAL, source="a.yaml").content_hash
            == parse_questionnaire(MINIMAL, source="b.yaml").content_hash)


def test_hash_changes_when_a_label_changes():
    edited = edit(MINIMAL, {10: "      label: {vi: Hài lòng, en: Happy}"})
    assert parse_questionnaire(edited).content_hash != parse_questionnaire(MINIMAL).content_hash


def test_hash_changes_when_a_rule_changes():
    edited = edit(MINIMAL, {11: "  satisfied_from: 1"})
    assert parse_questionnaire(edited).content_hash != parse_questionnaire(MINIMAL).content_hash


def test_hash_is_not_part_of_equality():
    a, b = parse_questionnaire(MINIMAL), parse_questionnaire(REFORMATTED)
    assert a == b


# ---------------------------------------------------------------- scoring plan


def test_scoring_plan_mirrors_the_file():
    q = parse_questionnaire(append(MINIMAL, """\
          - code: B
            title: {vi: Kết quả, en: Result}
            criteria:
              - code: B2
                text: {vi: Đúng hẹn, en: On time}
              - code: B1
                text: {vi: Đầy đủ, en: Complete}
        expectations:
          question: {vi: Cần cải thiện điều gì, en: What should improve}
          max_choices: 1
          options:
            - {code: z, label: {vi: Thủ tục, en: Procedures}}
            - {code: a, label: {vi: Thái độ, en: Attitude}}
    """))
    plan = q.scoring_plan()
    assert plan.elements == (("A", ("A1",)), ("B", ("B2", "B1")))
    assert plan.satisfied_from == 2
    assert plan.expectation_options == ("z", "a")


def test_scoring_plan_without_expectations():
    assert parse_questionnaire(MINIMAL).scoring_plan().expectation_options == ()


def test_scoring_plan_of_sipas(sipas):
    plan = sipas.scoring_plan()
    assert [code for code, _ in plan.elements] == ["TC", "TT", "CC", "KQ", "PA"]
    assert plan.elements[1] == ("TT", ("TT1", "TT2", "TT3", "TT4", "TT5"))
    assert sum(len(criteria) for _, criteria in plan.elements) == 22
    assert plan.satisfied_from == 4
    assert plan.expectation_options == ("MD1", "MD2", "MD3", "MD4", "MD5", "MD6")
