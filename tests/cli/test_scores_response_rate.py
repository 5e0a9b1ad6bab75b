"""``flask scores --format json``: invitations issued in the period and their response rate.

The tree and the invitations are small enough to count by hand:

    PROV (root)
      A          4 issued in March, 3 answered
        A1       2 issued in March, 1 answered
      B          3 issued in March, none answered
      C          nothing issued

so A (with A1) has 6 issued and 4 answered, PROV 9 and 4. Invitations issued outside March
(even when answered in it) do not count; one issued in March and answered in April does.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from factories import record, submission, unit_tree

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.invitations import claim, issue_invitations

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
VALID_DAYS = 30


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL)


def issue(unit: Unit, when: datetime, answered_at: list[datetime | None]) -> None:
    """One invitation of ``unit`` issued at ``when`` per entry; answered then if not None."""
    issued = issue_invitations(db.session, unit=unit, count=len(answered_at), now=when, valid_days=VALID_DAYS,
                               tz=LOCAL)
    for item, at in zip(issued, answered_at):
        if at is not None:
            assert claim(db.session, item.invitation, at, at.astimezone(LOCAL).date())


@pytest.fixture
def invitations(app):
    with app.app_context():
        units = unit_tree(db.session, "PROV > A > A1; PROV > B, C")
        a, a1, b, c = (units[code] for code in ("A", "A1", "B", "C"))

        # In March (local time), A: 4 issued, 3 answered; one of them answered in April.
        issue(a, local(2026, 3, 1, 0, 0), [local(2026, 3, 2, 8, 0), None])
        issue(a, local(2026, 3, 20, 10, 0), [local(2026, 4, 5, 9, 0)])
        # 23:30 on 31 March in Vietnam is 16:30 UTC the same day: still March.
        issue(a, local(2026, 3, 31, 23, 30), [local(2026, 3, 31, 23, 45)])
        # A1: 2 issued, 1 answered.
        issue(a1, local(2026, 3, 15, 9, 0), [None, local(2026, 3, 16, 9, 0)])
        # B: 3 issued, none answered (one of them expires unanswered in the period).
        issue(b, local(2026, 3, 1, 7, 0), [None])
        issue(b, local(2026, 3, 28, 7, 0), [None, None])

        # Outside March: 23:59 on 28 February and 00:00 on 1 April (17:00 UTC on 31 March),
        # answered or not, count nowhere.
        issue(a, local(2026, 2, 28, 23, 59), [local(2026, 3, 3, 10, 0), None])
        issue(a1, local(2026, 4, 1, 0, 0), [local(2026, 4, 1, 8, 0)])
        issue(c, local(2026, 4, 2, 8, 0), [None])
        db.session.commit()
    return app


def scores_json(runner, *extra: str) -> dict:
    result = runner.invoke(args=["scores", "--from", "2026-03-01", "--to", "2026-03-31",
                                 "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def rates(document: dict) -> dict[str, tuple[int, float | None]]:
    return {u["unit"]: (u["invitations"], u["response_rate"]) for u in document["units"]}


def test_invitations_and_response_rate_per_unit_with_the_units_below(invitations, runner):
    document = scores_json(runner)
    assert rates(document) == {
        "PROV": (9, 4 / 9),
        "A": (6, 4 / 6),
        "A1": (2, 1 / 2),
        "B": (3, 0.0),
        "C": (0, None),
    }
    # The overall part of the contract has no invitations (only the count of flagged responses).
    assert set(document["overall"]) == {"n", "index", "ci", "elements", "criteria", "expectations", "change", "flagged"}


def test_the_other_unit_keys_are_kept(invitations, runner):
    for unit in scores_json(runner)["units"]:
        assert set(unit) == {"unit", "name", "parent", "n", "index", "ci", "elements", "criteria",
                             "expectations", "rank", "previous_rank", "rank_change",
                             "invitations", "response_rate", "change", "flagged", "cases"}


def test_one_unit_and_its_subtree(invitations, runner):
    assert rates(scores_json(runner, "--unit", "A")) == {"A": (6, 4 / 6), "A1": (2, 1 / 2)}


def test_a_period_is_cut_in_local_time(invitations, runner):
    # 1 April alone (local): only A1's invitation issued at 00:00 and C's on the 2nd are outside it.
    result = runner.invoke(args=["scores", "--from", "2026-04-01", "--to", "2026-04-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert rates(json.loads(result.output)) == {
        "PROV": (1, 1.0), "A": (1, 1.0), "A1": (1, 1.0), "B": (0, None), "C": (0, None),
    }


def test_the_rate_counts_answers_not_responses(app, runner):
    """The rate is about invitations: open-link responses of the unit do not raise it."""
    with app.app_context():
        unit = unit_tree(db.session, "U")["U"]
        issue(unit, local(2026, 3, 10, 9, 0), [None, None, None, local(2026, 3, 10, 10, 0)])
        q = app.extensions["survey_catalog"].default
        for hour in range(5):
            record(db.session, unit, q, submission(q, TC1=5), at=local(2026, 3, 11, hour + 8, 0))
        db.session.commit()
    (unit,) = scores_json(runner)["units"]
    assert (unit["n"], unit["invitations"], unit["response_rate"]) == (5, 4, 0.25)
