"""``flask scores``: change against the previous period (``change``), breakdowns (``--by``) and
Cronbach's alpha (``elements.<code>.alpha``), each checked against a computation written here:
the difference of two independent proportions with the textbook variance, per-cell proportions,
and alpha by the variance-of-sums formula.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest

from survey_app import catalog_of
from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.services import responses, units

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
Z = NormalDist().inv_cdf(0.975)
MARCH = ("--from", "2026-03-01", "--to", "2026-03-31")


def add(app, unit_code: str, day: str, ratings: dict, *, channel: str = "link", profile: dict | None = None):
    with app.app_context():
        responses.record_response(
            db.session, unit=units.unit_by_code(db.session, unit_code),
            questionnaire=catalog_of(app).get("sipas"),
            submission=Submission(ratings=ratings, profile=profile or {}), locale="vi", channel=channel,
            submitted_at=datetime.fromisoformat(f"{day} 09:00").replace(tzinfo=LOCAL))
        db.session.commit()


def scores(runner, *args: str) -> dict:
    result = runner.invoke(args=["scores", *MARCH, *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def one_criterion_se(p: float, n: int) -> float:
    """The standard error (points) of a one-criterion index: the textbook s/sqrt(n) of a proportion,
    s^2 = n p (1 - p) / (n - 1) (docs/indices.md: the linearised interval reduces to it)."""
    return 100 * math.sqrt(p * (1 - p) / (n - 1))


def expected_change(p_now: float, n_now: int, p_before: float, n_before: int) -> dict:
    value = 100 * (p_now - p_before)
    se = math.hypot(one_criterion_se(p_now, n_now), one_criterion_se(p_before, n_before))
    return {"value": value, "ci": [value - Z * se, value + Z * se], "significant": abs(value) > Z * se}


def satisfied_if(condition: bool) -> dict:
    return {"TC1": 5 if condition else 1}


@pytest.fixture
def data(app):
    """TINH > A, C. Only TC1 is rated, so every index is TC1's share satisfied.

    A in March: 40 respondents, unsatisfied every tenth (36 of 40); the first 25 by kiosk, the
    rest by open link; the first 20 women, the next 12 men, the last 8 did not say.
    A in February: 20 of 40. C: 7 of 12 in March, 6 of 12 in February (a change within chance),
    by paper. TINH has nothing in February.
    """
    with app.app_context():
        units.import_units(db.session, "code,name,parent\nTINH,Tỉnh,\nA,Sở A,TINH\nC,Sở C,TINH\n".encode())
        db.session.commit()
    for i in range(40):
        gender = "female" if i < 20 else "male" if i < 32 else None
        add(app, "A", f"2026-03-{i % 28 + 1:02d}", satisfied_if(i % 10 != 0), channel="kiosk" if i < 25 else "link",
            profile={"gender": gender} if gender else None)
        add(app, "A", f"2026-02-{i % 28 + 1:02d}", satisfied_if(i < 20))
    for i in range(12):
        add(app, "C", f"2026-03-{i + 1:02d}", satisfied_if(i < 7), channel="paper")
        add(app, "C", f"2026-02-{i + 1:02d}", satisfied_if(i < 6), channel="paper")
    # Forms that rate nothing are no respondents of the indices (only "no opinion", only a profile answer).
    add(app, "C", "2026-03-20", {"TC1": 0}, channel="paper")
    add(app, "C", "2026-03-21", {}, channel="paper", profile={"gender": "male"})
    return app


def test_change_on_units_elements_and_overall(data, runner):
    document = scores(runner)
    units_ = {u["unit"]: u for u in document["units"]}
    a, c, tinh = units_["A"], units_["C"], units_["TINH"]
    assert (a["n"], c["n"]) == (40, 12)
    for figures, expected in ((a, expected_change(36 / 40, 40, 20 / 40, 40)),
                              (c, expected_change(7 / 12, 12, 6 / 12, 12)),
                              (tinh, expected_change(43 / 52, 52, 26 / 52, 52)),
                              (document["overall"], expected_change(43 / 52, 52, 26 / 52, 52))):
        assert figures["change"] == {"value": pytest.approx(expected["value"]),
                                     "ci": pytest.approx(expected["ci"], abs=1e-6),
                                     "significant": expected["significant"]}
        # One element scored: its change is the SIPAS change; an element nobody rated has none.
        assert figures["elements"]["TC"]["change"] == figures["change"]
        assert figures["elements"]["TT"]["change"] is None
    assert a["change"]["significant"] and not c["change"]["significant"]


def test_no_change_without_the_previous_period_and_no_interval_without_spread(data, runner):
    february = scores(runner, "--from", "2026-02-01", "--to", "2026-02-28")   # January is empty
    assert february["overall"]["change"] is None
    assert all(u["change"] is None and u["elements"]["TC"]["change"] is None for u in february["units"])
    add(data, "A", "2026-04-02", satisfied_if(True))
    april = next(u for u in scores(runner, "--from", "2026-04-01", "--to", "2026-04-30")["units"]
                 if u["unit"] == "A")
    # One respondent has no interval: the change is shown, never called significant.
    assert april["change"] == {"value": pytest.approx(100 - 90), "ci": None, "significant": False}


def cell(satisfied: int, n: int) -> dict:
    p = satisfied / n
    half = Z * one_criterion_se(p, n)
    return {"n": n, "index": pytest.approx(100 * p), "ci": pytest.approx([100 * p - half, min(100.0, 100 * p + half)],
                                                                        abs=1e-6)}


def test_breakdown_by_channel_and_a_profile_question(data, runner):
    document = scores(runner, "--by", "channel", "--by", "gender")
    a = next(u for u in document["units"] if u["unit"] == "A")
    assert list(a["by"]) == ["channel", "gender"]
    # Kiosk: the first 25, unsatisfied 0, 10, 20; link: 25-39, unsatisfied 30.
    assert a["by"]["channel"] == {
        "link": cell(14, 15), "invitation": {"n": 0, "suppressed": True}, "kiosk": cell(22, 25),
        "paper": {"n": 0, "suppressed": True}, "import": {"n": 0, "suppressed": True}}
    # Women 0-19 (unsatisfied 0, 10), men 20-31 (20, 30); the last 8 said nothing: in no cell.
    assert a["by"]["gender"] == {"male": cell(10, 12), "female": cell(18, 20), "other": {"n": 0, "suppressed": True}}
    # Overall pools every shown unit: C's 12 by paper; the man who rated nothing is in no n.
    overall = document["overall"]["by"]
    assert overall["channel"]["paper"] == cell(7, 12)
    assert overall["channel"]["kiosk"] == a["by"]["channel"]["kiosk"]
    assert overall["gender"]["male"] == a["by"]["gender"]["male"]
    assert "by" not in scores(runner)["overall"]   # only when asked


def test_small_cells_keep_their_n_and_lose_their_index(data, runner):
    data.config["MIN_BREAKDOWN_RESPONSES"] = 15
    a = next(u for u in scores(runner, "--by", "gender", "--by", "channel")["units"] if u["unit"] == "A")
    assert a["by"]["gender"]["male"] == {"n": 12, "suppressed": True}
    assert a["by"]["gender"]["female"] == cell(18, 20)
    assert a["by"]["channel"]["link"] == cell(14, 15)   # exactly the minimum: shown


def test_an_unknown_breakdown_is_a_clear_error(data, runner):
    result = runner.invoke(args=["scores", *MARCH, "--by", "income", "--format", "json"])
    assert result.exit_code == 2
    assert "unknown question income" in result.output and "gender" in result.output
    assert result.stdout == ""


def test_the_table_marks_only_significant_changes(data, runner):
    result = runner.invoke(args=["scores", *MARCH])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[2:] if line.split()}
    assert f"{100 * (36 / 40 - 20 / 40):+.1f}*" in rows["A"].split()
    assert f"{100 * (7 / 12 - 6 / 12):+.1f}" in rows["C"].split()
    assert "*" not in rows["C"]
    assert result.output.splitlines()[-1].startswith("* change against the previous period significant at 5%")


def alpha_by_hand(rows: list[list[int]]) -> float:
    def var(values):
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    k = len(rows[0])
    return k / (k - 1) * (1 - sum(var([r[j] for r in rows]) for j in range(k)) / var([sum(r) for r in rows]))


def test_alpha_per_element(app, runner):
    with app.app_context():
        units.import_units(db.session, "code,name,parent\nTINH,Tỉnh,\n".encode())
        db.session.commit()
    complete = []
    for i in range(14):
        levels = [1 + (i + j * (i % 3)) % 5 for j in range(3)]   # KQ1-KQ3, some agreement, some not
        complete.append(levels)
        add(app, "TINH", f"2026-03-{i + 1:02d}",
            {"KQ1": levels[0], "KQ2": levels[1], "KQ3": levels[2], "TT1": 4, "TT2": 5})
    add(app, "TINH", "2026-03-20", {"KQ1": 5, "KQ2": 0, "KQ3": 5})     # "no opinion": left out of alpha
    add(app, "TINH", "2026-03-21", {"KQ1": 1, "KQ3": 2})               # a blank: left out too
    document = scores(runner)
    for figures in (document["overall"], document["units"][0]):
        assert figures["elements"]["KQ"]["alpha"] == pytest.approx(alpha_by_hand(complete), abs=1e-12)
        assert figures["elements"]["TT"]["alpha"] is None   # nobody rated all of TT1-TT5
        assert figures["elements"]["TC"]["alpha"] is None
