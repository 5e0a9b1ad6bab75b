"""The demo's respondents look like a one-stop shop's visitors (domain/demo_visitors.py)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from survey_app.domain.catalog import load_catalog
from survey_app.domain.demo_plan import plan_demo
from survey_app.domain.demo_visitors import RARE_OTHER, profile_weights

CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "questionnaires", "sipas")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(scope="module")
def shares() -> dict[str, dict[str, float]]:
    """Percent of each profile question's answers per option, over a demo of 8,000 responses."""
    plan = plan_demo(CATALOG, responses=8000, seed=20261125, now=NOW)
    responses = list(plan.responses) + [r for batch in plan.batches for r in batch.answers]
    counts: dict[str, Counter] = {}
    for response in responses:
        if response.questionnaire == "sipas":
            for question, option in response.submission.profile.items():
                counts.setdefault(question, Counter())[option] += 1
    return {question: {option: 100 * n / sum(c.values()) for option, n in c.items()} for question, c in counts.items()}


def test_gender_is_about_even_and_other_rare(shares):
    gender = shares["gender"]
    assert 44 <= gender["male"] <= 56 and 44 <= gender["female"] <= 56
    assert abs(gender["male"] - gender["female"]) <= 6
    assert 0 < gender["other"] <= 3


def test_ages_are_spread_and_the_working_ages_largest(shares):
    age = shares["age_group"]
    assert set(age) == {"under25", "age25_34", "age35_49", "age50_64", "age65plus"}
    assert all(3 <= share <= 45 for share in age.values())  # every age comes, none dominates
    assert max(age, key=age.get) in {"age25_34", "age35_49"}
    assert age["age25_34"] + age["age35_49"] + age["age50_64"] >= 70
    for young_or_old in ("under25", "age65plus"):
        assert age[young_or_old] < min(age["age25_34"], age["age35_49"], age["age50_64"])


def test_other_profile_answers_are_plausible_too(shares):
    assert shares["ethnicity"]["kinh"] > 75
    assert shares["respondent_type"]["individual"] > 75
    assert max(shares["submission_channel"], key=shares["submission_channel"].get) == "in_person"
    assert shares["occupation"]["other"] < 15
    assert len(shares["education"]) == 6  # every level appears


def test_a_questionnaire_the_table_does_not_know_gets_even_shares_and_a_rare_other():
    assert profile_weights("district", ["north", "south", "other"]) == pytest.approx(
        [100 / (2 + RARE_OTHER), 100 / (2 + RARE_OTHER), 100 * RARE_OTHER / (2 + RARE_OTHER)])
    # A known question with an option of its own: that option shares what the known ones leave.
    assert profile_weights("gender", ["male", "female", "not_said"]) == pytest.approx([50.0, 48.5, 1.5])
