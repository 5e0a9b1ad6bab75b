"""domain.breakdown: the SIPAS index by the answers of one question, small cells suppressed."""

from __future__ import annotations

import math

import pytest

from survey_app.domain.breakdown import CHANNEL, breakdown
from survey_app.domain.scoring import Respondent, ScoringPlan

PLAN = ScoringPlan(elements=(("E", ("q",)),), satisfied_from=4)
Z95 = 1.959963984540054


def person(level: int | None, **traits: str) -> Respondent:
    return Respondent({} if level is None else {"q": level}, None, traits)


def test_cells_are_scored_like_the_whole_and_small_ones_suppressed():
    people = ([person(5, channel="kiosk", gender="female")] * 8 + [person(2, channel="kiosk")] * 4
              + [person(5, channel="link", gender="female")] * 9
              + [person(None, channel="link", gender="male")] * 5      # rated nothing: not in n
              + [person(0, channel="paper")] * 12)                      # only "no opinion"
    cells = breakdown(PLAN, people, CHANNEL, ("link", "invitation", "kiosk", "paper"), min_responses=10)
    assert list(cells) == ["link", "invitation", "kiosk", "paper"]
    # kiosk: 8 of 12 satisfied; one criterion, so the linearised interval is p +- z sqrt(p(1-p)/(n-1)).
    p = 8 / 12
    half = 100 * Z95 * math.sqrt(p * (1 - p) / 11)
    assert cells["kiosk"]["n"] == 12
    assert cells["kiosk"]["index"] == pytest.approx(100 * p)
    assert cells["kiosk"]["ci"] == pytest.approx([100 * p - half, 100 * p + half], abs=1e-4)
    assert cells["link"] == {"n": 9, "suppressed": True}
    assert cells["invitation"] == {"n": 0, "suppressed": True}
    assert cells["paper"] == {"n": 0, "suppressed": True}


def test_by_a_profile_question_those_who_did_not_answer_are_in_no_cell():
    people = [person(5, gender="female")] * 10 + [person(1, gender="male")] * 3 + [person(5)] * 20
    cells = breakdown(PLAN, people, "gender", ("male", "female"), min_responses=3)
    assert cells == {"male": {"n": 3, "index": 0.0, "ci": [0.0, 0.0]},
                     "female": {"n": 10, "index": 100.0, "ci": [100.0, 100.0]}}
    assert cells["male"]["n"] + cells["female"]["n"] == 13
