"""services.scores: the responses of a period reduced to respondents, and the scores document.

The JSON contract is checked in depth through the command (tests/cli/test_scores.py); these
check the service's own steps on a small tree whose figures are worked out by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import invitations, quick, record, sipas, submission, unit_tree
from figures_oracle import respondents_by_unit

from survey_app.domain.periods import Period
from survey_app.domain.scoring import Respondent
from survey_app.extensions import db
from survey_app.services.invitations import claim
from survey_app.services.scores import ScoreQuery, UnknownUnit, period_scores

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def tree(app):
    """H > A, B; C > D (two roots), inside the app context."""
    with app.app_context():
        made = unit_tree(db.session, "H > A, B; C > D", {"H": "Huyện", "A": "Xã A", "B": "Xã B"})
        db.session.commit()
        yield made
        db.session.rollback()


def test_respondents_are_grouped_by_unit_and_cut_by_the_local_period(tree):
    q = sipas()
    record(db.session, tree["A"], q, submission(q, TC1=5, TT2=0, expectations=("MD1", "MD3")),
           at=local(2026, 3, 1, 0, 0))                       # the first local instant of March
    record(db.session, tree["A"], q, submission(q, KQ1=2), at=local(2026, 3, 31, 23, 59))
    # Rated nothing (a profile answer only): kept, grouped, but no respondent of the indices.
    record(db.session, tree["B"], q, submission(q, profile={"gender": "male"}), at=local(2026, 3, 15, 9, 0))
    record(db.session, tree["B"], q, submission(q, TC1=1), at=local(2026, 4, 1, 0, 0))     # April
    record(db.session, tree["B"], q, submission(q, TC1=1), at=local(2026, 2, 28, 23, 59))  # February
    record(db.session, tree["A"], quick(), submission(quick(), DV1=3), at=local(2026, 3, 5, 8, 0))
    db.session.commit()

    grouped = respondents_by_unit(db.session, q, MARCH, TZ)
    assert set(grouped) == {tree["A"].id, tree["B"].id}
    assert sorted(grouped[tree["A"].id], key=lambda r: sorted(r.ratings)) == [
        Respondent({"KQ1": 2}, None),                          # did not answer the expectations
        Respondent({"TC1": 5, "TT2": 0}, frozenset({"MD1", "MD3"})),
    ]
    assert grouped[tree["B"].id] == [Respondent({}, None)]
    # The other questionnaire has its own respondents.
    assert respondents_by_unit(db.session, quick(), MARCH, TZ) == {tree["A"].id: [Respondent({"DV1": 3}, None)]}


def test_the_document_pools_subtrees_ranks_siblings_and_counts_invitations(tree):
    q = sipas()
    # March: A 2 of 2 satisfied, B 1 of 2; February (the previous period): A 0 of 1, B 1 of 1.
    for unit, level, day in (("A", 5, 2), ("A", 4, 3), ("B", 5, 4), ("B", 1, 5)):
        record(db.session, tree[unit], q, submission(q, TC1=level), at=local(2026, 3, day, 9, 0))
    record(db.session, tree["A"], q, submission(q, TC1=1), at=local(2026, 2, 10, 9, 0))
    record(db.session, tree["B"], q, submission(q, TC1=4), at=local(2026, 2, 10, 9, 0))
    # Invitations of March: A 3 issued, 1 answered; D 1 issued.
    issued = invitations(db.session, tree["A"], 3, at=local(2026, 3, 2, 8, 0))
    assert claim(db.session, issued[0].invitation, local(2026, 3, 2, 9, 0), date(2026, 3, 2))
    invitations(db.session, tree["D"], at=local(2026, 3, 9, 8, 0))
    db.session.commit()

    document = period_scores(db.session, ScoreQuery(q, MARCH, TZ, min_ranked=1))
    assert (document["questionnaire"], document["from"], document["to"]) == ("sipas", "2026-03-01", "2026-03-31")
    units = {u["unit"]: u for u in document["units"]}
    assert [u["unit"] for u in document["units"]] == ["C", "D", "H", "A", "B"]  # tree order, roots by code
    summary = {code: (u["parent"], u["n"], u["index"], u["rank"], u["previous_rank"], u["rank_change"])
               for code, u in units.items()}
    assert summary == {
        "C": (None, 0, None, None, None, None),
        "D": ("C", 0, None, None, None, None),      # no response: not ranked
        "H": (None, 4, 100 * 3 / 4, None, None, None),  # a root: never ranked
        "A": ("H", 2, 100.0, 1, 2, 1),
        "B": ("H", 2, 50.0, 2, 1, -1),
    }
    rates = {code: (u["invitations"], u["response_rate"]) for code, u in units.items()}
    assert rates == {"C": (1, 0.0), "D": (1, 0.0), "H": (3, 1 / 3), "A": (3, 1 / 3), "B": (0, None)}
    overall = document["overall"]
    assert (overall["n"], overall["criteria"]["TC1"]["n"], overall["criteria"]["TC1"]["satisfied"]) == (4, 4, 3)


def test_one_unit_shows_its_subtree_and_keeps_the_ranks_among_all_siblings(tree):
    q = sipas()
    for unit, level in (("A", 5), ("B", 1)):
        record(db.session, tree[unit], q, submission(q, TC1=level), at=local(2026, 3, 2, 9, 0))
    db.session.commit()
    document = period_scores(db.session, ScoreQuery(q, MARCH, TZ, min_ranked=1, unit_code="B"))
    assert [(u["unit"], u["rank"]) for u in document["units"]] == [("B", 2)]
    assert document["overall"]["n"] == 1 and document["overall"]["index"] == 0.0
    with pytest.raises(UnknownUnit):
        period_scores(db.session, ScoreQuery(q, MARCH, TZ, unit_code="NOPE"))
