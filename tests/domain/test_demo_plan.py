"""domain.demo_plan: the demo's synthetic data, decided without a database."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from survey_app.domain.catalog import Catalog, load_catalog
from survey_app.domain.demo_plan import allocate, demo_quarters, plan_demo
from survey_app.domain.demo_province import INVITATIONS_FROM
from survey_app.domain.masking import (
    EMAIL_MASK,
    ID_MASK,
    PHONE_MASK,
    mask_personal_data,
)
from survey_app.domain.questionnaire import parse_questionnaire
from survey_app.domain.submission import submission_problems

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "questionnaires", "sipas")

# A questionnaire with codes, scale and options unlike the shipped ones: the plan must draw
# from whatever file it is given.
ODD = """\
id: odd
version: 3
languages: [vi]
title: {vi: Thử}
scale:
  levels:
    - {value: 1, label: {vi: Một}}
    - {value: 2, label: {vi: Hai}}
    - {value: 3, label: {vi: Ba}}
    - {value: 4, label: {vi: Bốn}}
    - {value: 5, label: {vi: Năm}}
    - {value: 6, label: {vi: Sáu}}
    - {value: 7, label: {vi: Bảy}}
  satisfied_from: 6
elements:
  - code: ZA
    title: {vi: Một}
    criteria:
      - {code: ZA9, text: {vi: Câu một}, required: true}
      - {code: ZA7, text: {vi: Câu hai}}
  - code: ZB
    title: {vi: Hai}
    criteria:
      - {code: ZB1, text: {vi: Câu ba}}
expectations:
  question: {vi: Mong đợi}
  max_choices: 2
  options:
    - {code: W1, label: {vi: Một}}
    - {code: W2, label: {vi: Hai}}
    - {code: W3, label: {vi: Ba}}
profile:
  - code: hue
    question: {vi: Màu}
    options:
      - {code: red, label: {vi: Đỏ}}
      - {code: blue, label: {vi: Xanh}}
comment:
  label: {vi: Góp ý}
  max_length: 40
"""


def test_allocate_splits_the_total_in_proportion():
    counts = allocate(100, {"a": 1.0, "b": 2.0, "c": 0.5, "d": 0.0})
    assert sum(counts.values()) == 100
    assert counts["d"] == 0
    for key, share in {"a": 100 / 3.5, "b": 200 / 3.5, "c": 50 / 3.5}.items():
        assert abs(counts[key] - share) < 1


def test_the_quarters_are_eight_full_ones_and_the_current_one():
    quarters = demo_quarters(date(2026, 11, 25))
    assert [(q.start, q.end) for q in (quarters[0], quarters[-2], quarters[-1])] == [
        (date(2024, 10, 1), date(2024, 12, 31)), (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31))]
    assert len(quarters) == 9
    assert all(a.end + timedelta(days=1) == b.start for a, b in itertools.pairwise(quarters))


def test_same_seed_same_day_same_plan_another_seed_another():
    plan = plan_demo(CATALOG, responses=600, seed=3, now=NOW)
    assert plan_demo(CATALOG, responses=600, seed=3, now=NOW.replace(hour=22, minute=59)) == plan
    other = plan_demo(CATALOG, responses=600, seed=4, now=NOW)
    assert other.responses != plan.responses


def test_the_plan_fills_the_quarters_up_to_yesterday():
    plan = plan_demo(CATALOG, responses=3000, seed=1, now=NOW)
    assert plan.response_count == 3000
    answers = [a for b in plan.batches for a in b.answers]
    moments = [r.submitted_at for r in plan.responses] + [a.submitted_at for a in answers]
    quarters = demo_quarters(NOW.date())
    first = datetime.combine(quarters[0].start, datetime.min.time(), TZ)
    midnight = datetime.combine(NOW.date(), datetime.min.time(), TZ)
    assert all(first <= m < midnight for m in moments)
    per_quarter = [sum(q.start <= m.astimezone(TZ).date() <= q.end for m in moments) for q in quarters]
    assert all(per_quarter[:8]) and per_quarter[-1] > 0
    # The survey caught on: the last full quarter has more responses than the first.
    assert per_quarter[7] > 1.3 * per_quarter[0]
    leaves = {code for code, _, _ in plan.units} - {parent for _, _, parent in plan.units}
    assert {r.unit for r in plan.responses} == leaves


def test_invitations_are_answered_after_they_are_issued_and_before_they_expire():
    plan = plan_demo(CATALOG, responses=3000, seed=1, now=NOW, valid_for=timedelta(days=10))
    assert plan.batches
    start = demo_quarters(NOW.date())[INVITATIONS_FROM].start
    for batch in plan.batches:
        assert batch.issued_at.astimezone(TZ).date() >= start
        assert 1 <= batch.count <= 8 and len(batch.answers) <= batch.count
        for answer in batch.answers:
            assert batch.issued_at <= answer.submitted_at < batch.issued_at + timedelta(days=10)
            assert answer.channel == "invitation" and answer.questionnaire == "sipas"
    issued = sum(b.count for b in plan.batches)
    answered = sum(len(b.answers) for b in plan.batches)
    assert 0.15 < answered / issued < 0.6
    assert all(r.channel != "invitation" for r in plan.responses)
    without = plan_demo(CATALOG, responses=3000, seed=1, now=NOW, invitations=False)
    assert not without.batches and len(without.responses) == 3000


def test_answers_come_from_the_questionnaire_given():
    odd = parse_questionnaire(ODD)
    catalog = Catalog({"odd": odd}, "odd")
    plan = plan_demo(catalog, responses=800, seed=9, now=NOW)
    answers = [r for r in plan.responses] + [a for b in plan.batches for a in b.answers]
    assert all(r.questionnaire == "odd" and r.locale == "vi" for r in answers)
    assert all(submission_problems(odd, r.submission) == [] for r in answers)
    values = {v for r in answers for v in r.submission.ratings.values()}
    assert values <= set(range(1, 8)) and {5, 6, 7} <= values   # no "no opinion" on this scale
    assert {c for r in answers for c in r.submission.expectations} == {"W1", "W2", "W3"}
    assert {o for r in answers for o in r.submission.profile.values()} == {"red", "blue"}
    comments = [r.submission.comment for r in answers if r.submission.comment]
    assert comments and all(len(c) <= 40 for c in comments)


@pytest.fixture(scope="module")
def big_plan():
    return plan_demo(CATALOG, responses=12000, seed=2017, now=NOW)


def test_a_few_hundred_comments_some_with_personal_data_to_mask(big_plan):
    comments = [r.submission.comment for r in big_plan.responses if r.submission.comment]
    assert 200 <= len(comments) <= 1000
    masked = [mask_personal_data(c) for c in comments]
    for mask in (PHONE_MASK, EMAIL_MASK, ID_MASK):
        assert sum(mask in m for m in masked) >= 5, mask
    assert sum(m != c for m, c in zip(masked, comments)) < 0.3 * len(comments)


def test_channels_locales_and_questionnaires_vary(big_plan):
    everything = list(big_plan.responses) + [a for b in big_plan.batches for a in b.answers]
    channels = {r.channel for r in everything}
    assert channels == {"link", "invitation", "kiosk", "paper"}
    assert {r.locale for r in everything} == {"vi", "en"}
    quick = sum(r.questionnaire == "quick" for r in everything)
    assert 0.03 * len(everything) < quick < 0.12 * len(everything)
