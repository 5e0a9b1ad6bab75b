"""``flask scores``: the JSON contract (README, "Scores JSON"; docs/indices.md), checked against figures worked out by hand."""

from __future__ import annotations

import json
import math
from datetime import datetime
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest
from factories import criteria_codes, sipas

from survey_app import catalog_of
from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.services import responses, units

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
Z = NormalDist().inv_cdf(0.975)

DOCUMENT_KEYS = {"questionnaire", "from", "to", "overall", "units"}
# "change" was added after the first version of the contract (README, "Scores JSON").
SCORE_KEYS = {"n", "index", "ci", "elements", "criteria", "expectations", "change"}
CONTRACT_UNIT_KEYS = SCORE_KEYS | {"unit", "name", "rank", "previous_rank", "rank_change"}
# Additions to the first version of the contract, documented in the README ("Scores JSON").
DOCUMENTED_ADDITIONS = {"parent", "invitations", "response_rate", "flagged", "cases"}
UNIT_KEYS = CONTRACT_UNIT_KEYS | DOCUMENTED_ADDITIONS
ELEMENT_KEYS = {"index", "ci", "alpha", "change"}
CRITERION_KEYS = {"n", "satisfied", "index", "ci"}
# The document lists elements, criteria and options in the order of the questionnaire file.
SIPAS_ELEMENTS = [element.code for element in sipas().elements]
SIPAS_CRITERIA = criteria_codes(sipas())
EXPECTATION_OPTIONS = [option.code for option in sipas().expectations.options]


# ---------------------------------------------------------------- helpers


def wilson(k: int, n: int) -> list[float]:
    """The Wilson score interval, closed form, in percent."""
    p = k / n
    denominator = 1 + Z**2 / n
    centre = (p + Z**2 / (2 * n)) / denominator
    half = Z / denominator * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return [100 * (centre - half), 100 * (centre + half)]


def crit(satisfied: int, n: int) -> dict:
    return {"n": n, "satisfied": satisfied, "index": 100 * satisfied / n, "ci": wilson(satisfied, n)}


UNANSWERED = {"n": 0, "satisfied": 0, "index": None, "ci": None}
NO_ELEMENT = {"index": None, "ci": None, "alpha": None, "change": None}


def around(index: float):
    """An interval containing ``index``, inside 0-100 (element and SIPAS intervals)."""
    def check(ci) -> bool:
        return (isinstance(ci, list) and len(ci) == 2
                and 0 <= ci[0] <= index + 1e-9 and index - 1e-9 <= ci[1] <= 100 and ci[0] < ci[1])
    return check


def a_change(change) -> bool:
    """A change against the previous period, or null (checked in tests/cli/test_scores_change_breakdown.py)."""
    return change is None or (set(change) == {"value", "ci", "significant"}
                              and isinstance(change["significant"], bool))


def element(index: float) -> dict:
    # alpha: under 10 respondents rated every criterion of any element here (tests/domain/test_reliability.py).
    return {"index": index, "ci": around(index), "alpha": None, "change": a_change}


def assert_matches(actual, expected, path: str = "$") -> None:
    """Same structure and keys; floats equal up to rounding; a callable is a predicate."""
    if callable(expected):
        assert expected(actual), f"{path}: {actual!r}"
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not an object"
        assert set(actual) == set(expected), f"{path}: keys {sorted(actual)} != {sorted(expected)}"
        for key, value in expected.items():
            assert_matches(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: {actual!r} != {expected!r}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_matches(a, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), f"{path}: {actual!r}"
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9), f"{path}: {actual!r} != {expected!r}"
    else:
        assert type(actual) is type(expected) and actual == expected, f"{path}: {actual!r} != {expected!r}"


def sipas_criteria(**answered: dict) -> dict:
    return {code: answered.get(code, UNANSWERED) for code in SIPAS_CRITERIA}


def sipas_elements(**scored: dict) -> dict:
    return {code: scored.get(code, NO_ELEMENT) for code in SIPAS_ELEMENTS}


def expectations(answered: int = 0, **chosen: int) -> dict:
    return {code: (100 * chosen.get(code, 0) / answered if answered else None) for code in EXPECTATION_OPTIONS}


class Data:
    """Adds units and responses through the services, inside one app context."""

    def __init__(self, app):
        self.app = app
        self.catalog = catalog_of(app)

    def units(self, csv_text: str) -> None:
        with self.app.app_context():
            units.import_units(db.session, csv_text.encode("utf-8"))
            db.session.commit()

    def responses(self, *rows: tuple) -> None:
        """rows: (unit code, local time 'YYYY-MM-DD HH:MM[:SS]', ratings, expectations[, questionnaire])."""
        with self.app.app_context():
            for unit_code, local_time, ratings, *rest in rows:
                chosen = rest[0] if rest else ()
                questionnaire = self.catalog.get(rest[1] if len(rest) > 1 else "sipas")
                moment = datetime.fromisoformat(local_time).replace(tzinfo=LOCAL)
                responses.record_response(
                    db.session, unit=units.unit_by_code(db.session, unit_code), questionnaire=questionnaire,
                    submission=Submission(ratings=dict(ratings), expectations=frozenset(chosen)),
                    locale="vi", channel="link", submitted_at=moment,
                )
            db.session.commit()


def scores(runner, *args: str) -> dict:
    result = runner.invoke(args=["scores", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_code(document: dict) -> dict[str, dict]:
    return {unit["unit"]: unit for unit in document["units"]}


# ---------------------------------------------------------------- the province of the hand-worked example

PROVINCE = """code,name,parent
TINH,UBND tỉnh Bình An,
SO,"Các sở, ban, ngành",TINH
STP,Sở Tư pháp,SO
SXD,Sở Xây dựng,SO
SYT,Sở Y tế,SO
SCT,Sở Công Thương,SO
SNV,Sở Nội vụ,SO
XA,"Các xã, phường",TINH
X-ANBINH,Xã An Bình,XA
"""


@pytest.fixture
def province(app):
    app.config["MIN_RANKED_RESPONSES"] = 2
    data = Data(app)
    data.units(PROVINCE)
    data.responses(
        # ---- March 2026, the period of the tests
        # Sở Tư pháp: every figure below is worked out from these four rows.
        ("STP", "2026-03-01 00:00", {"TC1": 5, "TC2": 4, "TC3": 3, "TC4": 0, "TT1": 4, "TT2": 2,
                                     "CC1": 5, "KQ1": 1, "PA1": 0}, {"MD1", "MD2"}),
        ("STP", "2026-03-15 09:00", {"TC1": 4, "TC2": 2, "TC4": 5, "TT1": 1, "CC1": 5, "CC2": 4,
                                     "KQ1": 5, "KQ2": 4}, {"MD2"}),
        ("STP", "2026-03-31 23:59:59", {"TC1": 1, "TC2": 0, "TT1": 5, "TT2": 5, "CC1": 3}),
        ("STP", "2026-03-20 10:00", {"PA2": 0}),  # only "no opinion": stored, but rated nothing: not in n
        ("SXD", "2026-03-10 08:00", {"TC1": 5}),
        ("SXD", "2026-03-10 08:05", {"TC1": 5}),
        ("SYT", "2026-03-11 08:00", {"TC1": 5}),
        ("SYT", "2026-03-11 09:00", {"TC1": 5}),
        ("SYT", "2026-03-11 10:00", {"TC1": 4}),
        ("SYT", "2026-03-11 11:00", {"TC1": 1}),
        ("SCT", "2026-03-12 08:00", {"KQ1": 4}),
        ("SCT", "2026-03-12 09:00", {"KQ1": 4}),
        ("SCT", "2026-03-12 10:00", {"KQ1": 5}),
        ("SCT", "2026-03-12 11:00", {"KQ1": 2}),
        ("SNV", "2026-03-13 08:00", {"TC1": 5}),  # the best index, but too few responses to rank
        ("X-ANBINH", "2026-03-14 08:00", {"TC1": 1}, {"MD6"}),
        ("X-ANBINH", "2026-03-14 09:00", {"TC1": 2}),
        ("TINH", "2026-03-16 08:00", {"TC1": 3}),  # a response to the province itself
        # Not in March: 1 April 00:00 local time, and another questionnaire.
        ("STP", "2026-04-01 00:00", {"TC1": 1, "TC2": 1}),
        ("STP", "2026-03-15 10:00", {"DV1": 1, "DV2": 1}, (), "quick"),
        # ---- February 2026, the previous period
        ("STP", "2026-02-03 08:00", {"TC1": 5}),
        ("STP", "2026-02-28 23:59", {"TC1": 5}),
        ("SYT", "2026-02-04 08:00", {"TC1": 5}),
        ("SYT", "2026-02-04 09:00", {"TC1": 1}),
        ("SXD", "2026-02-05 08:00", {"TC1": 1}),
        ("SXD", "2026-02-05 09:00", {"TC1": 1}),
        ("SCT", "2026-02-06 08:00", {"TC1": 5}),
    )
    return app


# Sở Tư pháp in March, by hand (blank and "no opinion" (0) left out of every n):
STP_TC = (100 * 2 / 3 + 100 * 1 / 2 + 100 * 0 / 1 + 100 * 1 / 1) / 4   # TC1 5,4,1  TC2 4,2,0  TC3 3  TC4 0,5
STP_TT = (100 * 2 / 3 + 100 * 1 / 2) / 2                               # TT1 4,1,5  TT2 2,5; TT3-5 unanswered
STP_CC = (100 * 2 / 3 + 100 * 1 / 1) / 2                               # CC1 5,5,3  CC2 4
STP_KQ = (100 * 1 / 2 + 100 * 1 / 1) / 2                               # KQ1 1,5  KQ2 4
STP_SIPAS = (STP_TC + STP_TT + STP_CC + STP_KQ) / 4                     # PA: only a "no opinion", skipped
# The departments pooled: TC1 adds SXD 5,5  SYT 5,5,4,1  SNV 5; KQ1 adds SCT 4,4,5,2.
SO_TC = (100 * 8 / 10 + 100 * 1 / 2 + 100 * 0 / 1 + 100 * 1 / 1) / 4
SO_KQ = (100 * 4 / 6 + 100 * 1 / 1) / 2
SO_SIPAS = (SO_TC + STP_TT + STP_CC + SO_KQ) / 4
# The whole province: TC1 also has X-ANBINH 1,2 and TINH 3.
ALL_TC = (100 * 8 / 13 + 100 * 1 / 2 + 100 * 0 / 1 + 100 * 1 / 1) / 4
ALL_SIPAS = (ALL_TC + STP_TT + STP_CC + SO_KQ) / 4


def test_a_unit_worked_by_hand(province, runner):
    document = scores(runner, "--from", "2026-03-01", "--to", "2026-03-31")
    stp = by_code(document)["STP"]
    assert_matches(stp, {
        "unit": "STP", "name": "Sở Tư pháp", "parent": "SO",
        "n": 3,   # the fourth response rated nothing
        "index": STP_SIPAS,
        "ci": around(STP_SIPAS),
        "change": a_change,
        "elements": sipas_elements(TC=element(STP_TC), TT=element(STP_TT), CC=element(STP_CC),
                                   KQ=element(STP_KQ)),
        "criteria": sipas_criteria(
            TC1=crit(2, 3), TC2=crit(1, 2), TC3=crit(0, 1), TC4=crit(1, 1),
            TT1=crit(2, 3), TT2=crit(1, 2),
            CC1=crit(2, 3), CC2=crit(1, 1),
            KQ1=crit(1, 2), KQ2=crit(1, 1),
        ),
        # Two of the four answered the question: MD1 once, MD2 twice.
        "expectations": expectations(2, MD1=1, MD2=2),
        "rank": 4, "previous_rank": 1, "rank_change": 1 - 4,
        "invitations": 0, "response_rate": None,  # no invitation was issued
        "flagged": 0,  # nothing was flagged as made up
        "cases": {"received": 0, "acknowledged_in_time": None, "answered_in_time": None, "answered": 0,
                  "median_days_to_answer": None, "causes": dict.fromkeys(
                      ["attitude", "time", "procedure", "fees", "facilities", "information", "other"], 0),
                  "resolutions": {"yes": 0, "partly": 0, "no": 0}, "ratings": 0, "mean_rating": None,
                  "reopened": 0},  # no citizen asked for a reply
    })
    # The same figures written out, so that a mistake in the helpers cannot hide one.
    assert stp["criteria"]["TC1"] == {"n": 3, "satisfied": 2, "index": pytest.approx(100 * 2 / 3),
                                      "ci": pytest.approx(wilson(2, 3))}
    assert stp["criteria"]["TC4"]["n"] == 1  # the "no opinion" is not counted
    assert stp["criteria"]["TT3"] == {"n": 0, "satisfied": 0, "index": None, "ci": None}
    assert stp["elements"]["PA"] == {"index": None, "ci": None, "alpha": None, "change": None}
    assert stp["index"] == pytest.approx(67.70833333333333)
    assert stp["expectations"] == {"MD1": 50.0, "MD2": 100.0, "MD3": 0.0, "MD4": 0.0, "MD5": 0.0, "MD6": 0.0}


def test_wilson_interval_of_a_criterion(province, runner):
    document = scores(runner, "--from", "2026-03-01", "--to", "2026-03-31")
    low, high = by_code(document)["STP"]["criteria"]["TC1"]["ci"]
    # Closed form for k = 2 satisfied of n = 3, z = 1.959963984540054:
    n, p = 3, 2 / 3
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n)) / (1 + Z**2 / n)
    assert low == pytest.approx(100 * (centre - half), rel=1e-9)
    assert high == pytest.approx(100 * (centre + half), rel=1e-9)
    assert (round(low, 2), round(high, 2)) == (20.77, 93.85)
    # Interval of a proportion of 0 and of 1: one end at the bound.
    xa = by_code(document)["X-ANBINH"]["criteria"]["TC1"]
    assert xa["index"] == 0.0 and xa["ci"][0] == pytest.approx(0, abs=1e-12)
    assert xa["ci"][1] == pytest.approx(100 * Z**2 / (2 + Z**2), rel=1e-9)


def test_one_criterion_element_interval(province, runner):
    # Sở Y tế answered only TC1 (5, 5, 4, 1): the element and SIPAS intervals reduce to
    # p ± z·sqrt(p(1-p)/(n-1)), clipped to 0-100.
    syt = by_code(scores(runner, "--from", "2026-03-01", "--to", "2026-03-31"))["SYT"]
    expected = [100 * 3 / 4 - 100 * Z * math.sqrt(3 / 4 * 1 / 4 / (4 - 1)), 100.0]
    assert syt["elements"]["TC"]["ci"] == pytest.approx(expected, rel=1e-9)
    assert syt["ci"] == pytest.approx(expected, rel=1e-9)


def test_ranks_among_siblings(province, runner):
    units_ = by_code(scores(runner, "--from", "2026-03-01", "--to", "2026-03-31"))
    summary = {code: (u["n"], u["index"], u["rank"], u["previous_rank"], u["rank_change"])
               for code, u in units_.items()}
    assert summary == {
        # The root is shown but never ranked.
        "TINH": (3 + 2 + 4 + 4 + 1 + 2 + 1, pytest.approx(ALL_SIPAS), None, None, None),
        # Groups rank against each other; XA had no response in February.
        "SO": (3 + 2 + 4 + 4 + 1, pytest.approx(SO_SIPAS), 1, 1, 0),
        "XA": (2, 100 * 0 / 2, 2, None, None),
        # Competition ranking 1, 2, 2, 4; February: STP 100, SYT 50, SXD 0, SCT one response.
        "SXD": (2, 100 * 2 / 2, 1, 3, 3 - 1),
        "SYT": (4, 100 * 3 / 4, 2, 2, 0),
        "SCT": (4, 100 * 3 / 4, 2, None, None),
        "STP": (3, pytest.approx(STP_SIPAS), 4, 1, 1 - 4),   # n: 3 of its 4 responses rated
        # Fewer responses than MIN_RANKED_RESPONSES (2): shown, not ranked, despite the best index.
        "SNV": (1, 100 * 1 / 1, None, None, None),
        "X-ANBINH": (2, 100 * 0 / 2, 1, None, None),
    }


def test_minimum_for_ranking_comes_from_the_config(province, runner):
    province.config["MIN_RANKED_RESPONSES"] = 3
    units_ = by_code(scores(runner, "--from", "2026-03-01", "--to", "2026-03-31"))
    # SXD (2 responses) drops out: SYT and SCT now share the first place, STP is third.
    assert {code: units_[code]["rank"] for code in ("SXD", "SYT", "SCT", "STP", "SNV")} == {
        "SXD": None, "SYT": 1, "SCT": 1, "STP": 3, "SNV": None,
    }
    # In February no department had 3 responses: no previous ranks among them.
    assert {units_[code]["previous_rank"] for code in ("SXD", "SYT", "SCT", "STP", "SNV")} == {None}
    assert units_["X-ANBINH"]["rank"] is None  # 2 responses


def test_pooled_figures_of_a_group_and_overall(province, runner):
    document = scores(runner, "--from", "2026-03-01", "--to", "2026-03-31")
    so = by_code(document)["SO"]
    # TC1 in the departments: STP 5,4,1  SXD 5,5  SYT 5,5,4,1  SNV 5 (SCT answered KQ1 only).
    assert so["criteria"]["TC1"] == {"n": 10, "satisfied": 8, "index": pytest.approx(100 * 8 / 10),
                                     "ci": pytest.approx(wilson(8, 10))}
    # KQ1: STP 1,5  SCT 4,4,5,2.
    assert so["criteria"]["KQ1"]["n"] == 6 and so["criteria"]["KQ1"]["satisfied"] == 4
    assert so["elements"]["TC"]["index"] == pytest.approx(SO_TC)
    assert so["index"] == pytest.approx(SO_SIPAS)
    assert so["n"] == 14   # STP's response that rated nothing is not counted

    overall = document["overall"]
    assert overall["n"] == 17  # every respondent of March who rated at least one criterion
    assert_matches(overall, {
        "flagged": 0,
        "n": 17,
        "index": ALL_SIPAS,
        "ci": around(ALL_SIPAS),
        "change": a_change,
        "elements": sipas_elements(TC=element(ALL_TC), TT=element(STP_TT), CC=element(STP_CC),
                                   KQ=element(SO_KQ)),
        "criteria": sipas_criteria(
            TC1=crit(8, 13), TC2=crit(1, 2), TC3=crit(0, 1), TC4=crit(1, 1),
            TT1=crit(2, 3), TT2=crit(1, 2), CC1=crit(2, 3), CC2=crit(1, 1),
            KQ1=crit(4, 6), KQ2=crit(1, 1),
        ),
        # STP's two and X-ANBINH's one answered the question.
        "expectations": expectations(3, MD1=1, MD2=2, MD6=1),
    })
    # The root pools everything below it: its figures are the overall ones.
    tinh = by_code(document)["TINH"]
    assert {k: tinh[k] for k in SCORE_KEYS | {"flagged"}} == overall


def test_document_shape(province, runner):
    document = scores(runner, "--from", "2026-03-01", "--to", "2026-03-31")
    assert set(document) == DOCUMENT_KEYS
    assert (document["questionnaire"], document["from"], document["to"]) == ("sipas", "2026-03-01", "2026-03-31")
    assert set(document["overall"]) == SCORE_KEYS | {"flagged"}
    # Tree order: a parent before its children, siblings by code.
    assert [u["unit"] for u in document["units"]] == [
        "TINH", "SO", "SCT", "SNV", "STP", "SXD", "SYT", "XA", "X-ANBINH"]
    for scores_ in [document["overall"], *document["units"]]:
        assert list(scores_["elements"]) == list(SIPAS_ELEMENTS)
        assert list(scores_["criteria"]) == SIPAS_CRITERIA
        assert list(scores_["expectations"]) == EXPECTATION_OPTIONS
        for value in scores_["elements"].values():
            assert set(value) == ELEMENT_KEYS
        for value in scores_["criteria"].values():
            assert set(value) == CRITERION_KEYS
    for unit in document["units"]:
        assert set(unit) == UNIT_KEYS
    assert by_code(document)["X-ANBINH"]["name"] == "Xã An Bình"
    assert by_code(document)["SO"]["name"] == "Các sở, ban, ngành"
    assert by_code(document)["TINH"]["parent"] is None


def test_one_unit_and_its_subtree(province, runner):
    document = scores(runner, "--from", "2026-03-01", "--to", "2026-03-31", "--unit", "SO")
    assert [u["unit"] for u in document["units"]] == ["SO", "SCT", "SNV", "STP", "SXD", "SYT"]
    assert document["overall"]["n"] == 14
    assert document["overall"]["criteria"]["TC1"]["n"] == 10
    assert document["overall"]["index"] == pytest.approx(SO_SIPAS)
    # Ranks stay those among all siblings, whatever is shown.
    assert by_code(document)["SO"]["rank"] == 1
    assert by_code(document)["STP"]["rank"] == 4

    leaf = scores(runner, "--from", "2026-03-01", "--to", "2026-03-31", "--unit", "STP")
    assert [u["unit"] for u in leaf["units"]] == ["STP"]
    assert leaf["overall"]["index"] == pytest.approx(STP_SIPAS)
    assert leaf["overall"]["n"] == 3


def test_previous_period_of_an_arbitrary_range(app, runner):
    app.config["MIN_RANKED_RESPONSES"] = 2
    data = Data(app)
    data.units("code,name,parent\nHUYEN,Huyện Tân Phú,\nA,Xã A,HUYEN\nB,Xã B,HUYEN\n")
    data.responses(
        # 10 days, 10-19 March: A 100, B 50.
        ("A", "2026-03-10 00:00", {"TC1": 5}),
        ("A", "2026-03-19 23:59:59", {"TC1": 5}),
        ("B", "2026-03-12 08:00", {"TC1": 5}),
        ("B", "2026-03-12 09:00", {"TC1": 1}),
        # The 10 days before, 28 February - 9 March: A 0, B 100.
        ("A", "2026-02-28 00:00", {"TC1": 1}),
        ("A", "2026-03-09 23:59:59", {"TC1": 1}),
        ("B", "2026-03-01 08:00", {"TC1": 5}),
        ("B", "2026-03-01 09:00", {"TC1": 5}),
        # In neither: they would change the ranks if they were counted.
        *[("B", "2026-02-27 23:59:59", {"TC1": 1})] * 5,
        *[("A", "2026-03-20 00:00", {"TC1": 1})] * 5,
    )
    units_ = by_code(scores(runner, "--from", "2026-03-10", "--to", "2026-03-19"))
    assert {code: (u["n"], u["index"], u["rank"], u["previous_rank"], u["rank_change"])
            for code, u in units_.items()} == {
        "HUYEN": (4, 100 * 3 / 4, None, None, None),
        "A": (2, 100 * 2 / 2, 1, 2, 2 - 1),
        "B": (2, 100 * 1 / 2, 2, 1, 1 - 2),
    }
    # The previous period itself, scored directly, agrees.
    before = by_code(scores(runner, "--from", "2026-02-28", "--to", "2026-03-09"))
    assert (before["A"]["index"], before["A"]["rank"], before["B"]["index"], before["B"]["rank"]) == (
        100 * 0 / 2, 2, 100 * 2 / 2, 1)


def test_previous_calendar_month(app, runner):
    # March is compared with February (28 days), not with the 31 days before it.
    app.config["MIN_RANKED_RESPONSES"] = 1
    data = Data(app)
    data.units("code,name,parent\nH,Huyện,\nA,Xã A,H\nB,Xã B,H\n")
    data.responses(
        ("A", "2026-03-05 08:00", {"TC1": 5}),
        ("B", "2026-03-05 08:00", {"TC1": 1}),
        ("A", "2026-02-01 00:00", {"TC1": 1}),   # February: B above A
        ("B", "2026-02-01 00:00", {"TC1": 5}),
        ("A", "2026-01-31 23:00", {"TC1": 5}),   # in the 31 days before March, not in February
        ("A", "2026-01-30 08:00", {"TC1": 5}),
    )
    units_ = by_code(scores(runner, "--from", "2026-03-01", "--to", "2026-03-31"))
    assert [(units_[c]["rank"], units_[c]["previous_rank"], units_[c]["rank_change"]) for c in "AB"] == [
        (1, 2, 1), (2, 1, -1)]


def test_period_is_cut_in_local_time(app, runner):
    data = Data(app)
    data.units("code,name,parent\nP1,Phường 1,\n")
    data.responses(
        ("P1", "2026-01-01 00:30", {"TC1": 5}),      # 2025-12-31 17:30 UTC: still 2026 locally
        ("P1", "2025-12-31 23:59", {"TC1": 1}),      # 2025-12-31 16:59 UTC
        ("P1", "2026-12-31 23:30", {"TC1": 4}),      # 2026-12-31 16:30 UTC
        ("P1", "2027-01-01 00:00", {"TC1": 2}),      # 2026-12-31 17:00 UTC: already 2027 locally
    )
    year_2026 = scores(runner, "--from", "2026-01-01", "--to", "2026-12-31")["overall"]
    assert (year_2026["n"], year_2026["criteria"]["TC1"]["satisfied"], year_2026["index"]) == (2, 2, 100 * 2 / 2)
    year_2025 = scores(runner, "--from", "2025-01-01", "--to", "2025-12-31")["overall"]
    assert (year_2025["n"], year_2025["criteria"]["TC1"]["satisfied"], year_2025["index"]) == (1, 0, 100 * 0 / 1)
    one_day = scores(runner, "--from", "2026-01-01", "--to", "2026-01-01")["overall"]
    assert one_day["n"] == 1 and one_day["criteria"]["TC1"]["satisfied"] == 1
    nothing = scores(runner, "--from", "2024-01-01", "--to", "2024-12-31")
    assert nothing["overall"]["n"] == 0
    assert nothing["overall"]["index"] is None and nothing["overall"]["ci"] is None
    assert nothing["overall"]["expectations"] == {code: None for code in EXPECTATION_OPTIONS}
    assert [(u["unit"], u["n"], u["rank"]) for u in nothing["units"]] == [("P1", 0, None)]


def test_quick_questionnaire(app, runner):
    app.config["MIN_RANKED_RESPONSES"] = 2
    data = Data(app)
    data.units("code,name,parent\nQ,Quận Cam,\nP1,Phường 1,Q\nP2,Phường 2,Q\n")
    data.responses(
        ("P1", "2026-05-02 08:00", {"DV1": 3, "DV2": 2, "DV3": 3}, (), "quick"),
        ("P1", "2026-05-02 09:00", {"DV1": 2, "DV2": 3, "DV4": 1}, (), "quick"),
        ("P1", "2026-05-02 10:00", {"DV1": 3}, (), "quick"),
        ("P2", "2026-05-03 08:00", {"DV1": 2}, (), "quick"),
        ("P2", "2026-05-03 09:00", {"DV1": 1}, (), "quick"),
        ("P1", "2026-05-02 11:00", {"TC1": 5}),  # a SIPAS response: not part of these scores
    )
    document = scores(runner, "--from", "2026-05-01", "--to", "2026-05-31", "--questionnaire", "quick")
    assert document["questionnaire"] == "quick"
    # Three levels, satisfied from 3: a 2 ("Bình thường") is not satisfied.
    dv = (100 * 2 / 3 + 100 * 1 / 2 + 100 * 1 / 1 + 100 * 0 / 1) / 4
    p1 = by_code(document)["P1"]
    assert_matches({k: p1[k] for k in SCORE_KEYS | {"rank"}}, {
        "n": 3, "index": dv, "ci": around(dv), "change": None,   # nothing in April
        "elements": {"DV": element(dv)},
        "criteria": {"DV1": crit(2, 3), "DV2": crit(1, 2), "DV3": crit(1, 1), "DV4": crit(0, 1)},
        "expectations": {},  # the short questionnaire has no expectations question
        "rank": 1,
    })
    assert by_code(document)["P2"]["index"] == 100 * 0 / 2
    assert by_code(document)["P2"]["rank"] == 2
    overall = document["overall"]
    assert overall["n"] == 5
    assert overall["criteria"]["DV1"] == {"n": 5, "satisfied": 2, "index": pytest.approx(100 * 2 / 5),
                                          "ci": pytest.approx(wilson(2, 5))}
    assert overall["index"] == pytest.approx((100 * 2 / 5 + 100 * 1 / 2 + 100 * 1 / 1 + 100 * 0 / 1) / 4)

    sipas = scores(runner, "--from", "2026-05-01", "--to", "2026-05-31")
    assert sipas["questionnaire"] == "sipas" and sipas["overall"]["n"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-01-01", "--to", "2026-01-31", "--unit", "KHONGCO"], "unknown unit KHONGCO"),
        (["--from", "2026-02-01", "--to", "2026-01-31"], "--from is after --to"),
        (["--from", "2026-02-30", "--to", "2026-03-31"], "'2026-02-30' is not a date YYYY-MM-DD"),
        (["--from", "01/02/2026", "--to", "2026-03-31"], "'01/02/2026' is not a date YYYY-MM-DD"),
        (["--from", "2026-01-01", "--to", "2026-01-31", "--questionnaire", "sipas9"], "unknown questionnaire sipas9"),
        (["--to", "2026-01-31"], "Missing option '--from'"),
        (["--from", "2026-01-01", "--to", "2026-01-31", "--format", "xml"], "'xml' is not one of"),
    ],
)
def test_bad_arguments(province, runner, args, message):
    result = runner.invoke(args=["scores", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert result.stdout == ""  # nothing that could be taken for a result


def test_table_format(province, runner):
    result = runner.invoke(args=["scores", "--from", "2026-03-01", "--to", "2026-03-31"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "sipas 2026-03-01 – 2026-03-31"
    assert lines[1].split()[:4] == ["unit", "name", "n", "index"]
    rows = {line.split()[0]: line for line in lines[2:] if line.split()}
    assert set(rows) >= {"TINH", "SO", "STP", "SXD", "SYT", "SCT", "SNV", "XA", "X-ANBINH"}
    # The SIPAS figure with one decimal, the rank and the change.
    assert " 67.7 " in rows["STP"] and "Sở Tư pháp" in rows["STP"]
    assert rows["STP"].split()[-2:] == ["4", "-3"]
    assert rows["SXD"].split()[-2:] == ["1", "+2"]
    assert "100.0" in rows["SNV"]
    overall = next(line for line in lines if line.lstrip().startswith("overall"))
    document = scores(runner, "--from", "2026-03-01", "--to", "2026-03-31")
    assert f"{document['overall']['index']:.1f}" in overall.split()
