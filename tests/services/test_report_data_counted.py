"""services.report_data reads the counted responses only, as ``scores`` does: the previous
period's figures of a report, each quarter of the trend and every breakdown (by channel, by a
profile question) equal, bit for bit, ``domain.scoring`` fed Respondents of the counted responses.

Random responses on a tree of units over three quarters: blanks, "no opinion", profile answers
(an option and a question the questionnaire no longer lists), a channel the app does not know,
flagged responses (left out) and restored ones (counted again).
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import sipas, unit_tree

from survey_app.domain.breakdown import CHANNEL
from survey_app.domain.periods import Period, period_of
from survey_app.domain.scoring import Respondent, score
from survey_app.domain.submission import CHANNELS, EXPECTATIONS
from survey_app.extensions import db
from survey_app.models import Answer, Choice, Response, ResponseFlag
from survey_app.services import report_data
from survey_app.services.rating_matrix import kept_matrices
from figures_oracle import breakdowns, same

from survey_app.services.figures.cells import rebuild

from survey_app.services.scores import ScoreQuery, period_figures, period_scores

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TREE = "P > D1 > C1, C2; P > D2 > C3; P > D3; Q > C4"
ORDER = ["P", "D1", "C1", "C2", "D2", "C3", "D3", "Q", "C4"]   # tree order: parents first, siblings by code
BELOW = {"P": {"P", "D1", "C1", "C2", "D2", "C3", "D3"}, "D1": {"D1", "C1", "C2"}, "D2": {"D2", "C3"},
         "Q": {"Q", "C4"}, **{code: {code} for code in ("C1", "C2", "C3", "D3", "C4")}}
QUARTERS = [period_of("quarter", date(2025, 10, 1)), period_of("quarter", date(2026, 1, 1)),
            period_of("quarter", date(2026, 4, 1))]
OLD_QUESTION = "old_question"


def store(rng: random.Random, units, count: int) -> list[tuple[Response, str, Respondent]]:
    """(response, its unit's code, the Respondent it should count as, traits included)."""
    q = sipas()
    made = []
    for _ in range(count):
        ratings = {code: rng.choice((0, 1, 2, 3, 4, 5)) for code in q.criterion_codes if rng.random() < 0.6}
        chosen = rng.sample([o.code for o in q.expectations.options], rng.choice((0, 1, 2)))
        channel = rng.choice((*CHANNELS, *CHANNELS, "fax"))
        profile = {p.code: rng.choice([o.code for o in p.options] + ["retired_option"])
                   for p in q.profile if rng.random() < 0.6}
        if rng.random() < 0.2:
            profile[OLD_QUESTION] = rng.choice(("yes", "no"))
        quarter = rng.choice(QUARTERS)
        at = datetime(quarter.start.year, quarter.start.month + rng.randint(0, 2), rng.randint(1, 28),
                      rng.randint(0, 23), tzinfo=TZ)
        code = rng.choice(("P", "D1", "C1", "C2", "D2", "C3", "D3", "C4"))
        response = Response(
            unit=units[code], questionnaire_id=q.id, questionnaire_version=q.version,
            questionnaire_hash=q.content_hash, locale="vi", channel=channel, submitted_at=at,
            answers=[Answer(item_code=c, value=v) for c, v in ratings.items()],
            choices=[Choice(question_code=EXPECTATIONS, option_code=o) for o in chosen]
            + [Choice(question_code=c, option_code=o) for c, o in profile.items()])
        db.session.add(response)
        made.append((response, code, Respondent(ratings, frozenset(chosen) or None, {CHANNEL: channel, **profile})))
    db.session.flush()
    return made


@pytest.mark.parametrize("seed", [3, 4])
def test_every_figure_counts_what_scores_counts(app, seed):
    rng = random.Random(seed)
    q = sipas()
    plan = q.scoring_plan()
    questions = (CHANNEL, *(p.code for p in q.profile), OLD_QUESTION)
    with app.app_context():
        units = unit_tree(db.session, TREE)
        made = store(rng, units, 420)
        # A fifth of each quarter's responses flagged, a third of those restored by an officer.
        flagged = set()
        for response, _, _ in made:
            if rng.random() < 0.2:
                restored = rng.random() < 0.33
                db.session.add(ResponseFlag(response_id=response.id, reasons="burst",
                                            flagged_at=response.submitted_at, restored=restored))
                if not restored:
                    flagged.add(response.id)
        db.session.commit()
        # Written by hand, past the services (as a hand-typed SQL would be): the sums made again.
        rebuild(db.session, [sipas()])
        db.session.commit()
        counted = [(ORDER.index(code), r.id, code, r.submitted_at, respondent)
                   for r, code, respondent in made if r.id not in flagged]
        counted.sort(key=lambda row: row[:2])   # the service's row order: units in tree order, then id
        assert len(flagged) > 40

        def respondents(codes: set[str], quarter: Period) -> list[Respondent]:
            low, high = quarter.utc_bounds(TZ)
            return [respondent for _, _, code, at, respondent in counted if code in codes and low <= at < high]

        now, before = QUARTERS[2], QUARTERS[1]
        for unit in ("P", "D1", "C3"):
            query = ScoreQuery(q, now, TZ, min_ranked=1, unit_code=unit)
            with kept_matrices():
                document = report_data.report_document(db.session, query, language="vi")
            for code, extra in document["units"].items():
                expected = score(plan, respondents(BELOW[code], before))
                assert extra["previous"] == {"n": expected.n, "index": expected.index, "ci": list(expected.ci),
                                             "rank": extra["previous"]["rank"]}, code
            top = score(plan, respondents(BELOW[unit], before))
            assert document["overall"]["previous"] == {"n": top.n, "index": top.index, "ci": list(top.ci)}

            trend = report_data.quarterly_trend(db.session, query, unit, now, quarters=3)
            for point, quarter in zip(trend, QUARTERS):
                s = score(plan, respondents(BELOW[unit], quarter))
                assert point == {"label": report_data.quarter_label(quarter), "from": quarter.start.isoformat(),
                                 "to": quarter.end.isoformat(), "n": s.n, "index": s.index,
                                 "ci": list(s.ci) if s.ci else None,
                                 "elements": {code: e.index for code, e in s.elements.items()}}

            split = report_data.unit_breakdowns(db.session, q, unit, now, TZ, questions, min_responses=3)
            same(split, breakdowns(q, respondents(BELOW[unit], now), questions, 3), unit)
            assert "fax" in split[CHANNEL] and "retired_option" in split["gender"] and split[OLD_QUESTION]

        # Figures that take the previous period's from its kept document (JSON) are the same.
        for unit in (None, "P", "D1", "C3"):
            query = ScoreQuery(q, now, TZ, min_ranked=1, unit_code=unit)
            kept_before = json.loads(json.dumps(period_scores(db.session, replace(query, period=before))))
            fresh, reused = period_figures(db.session, query), period_figures(db.session, query, kept_before)
            assert json.dumps(reused.document) == json.dumps(fresh.document), unit
            assert {code: (s.n, s.index, s.ci) for code, s in reused.previous.items()} == {
                code: (s.n, s.index, s.ci) for code, s in fresh.previous.items()}
            assert (reused.previous_overall.n, reused.previous_overall.index, reused.previous_overall.ci) == (
                fresh.previous_overall.n, fresh.previous_overall.index, fresh.previous_overall.ci)

        # scores --by: the same cells, from the same arrays.
        by = period_scores(db.session, ScoreQuery(q, now, TZ, min_ranked=1, by=questions, min_breakdown=3))
        for unit in by["units"]:
            same(unit["by"], breakdowns(q, respondents(BELOW[unit["unit"]], now), questions, 3), unit["unit"])
        same(by["overall"]["by"], breakdowns(q, respondents(set(ORDER), now), questions, 3))


def test_a_kept_matrix_is_read_again_once_its_data_change(app):
    """kept_matrices shares a period's read within a block, but never past a change of its data:
    a late response, or a flag decision."""
    q = sipas()
    quarter = QUARTERS[2]
    with app.app_context():
        units = unit_tree(db.session, TREE)
        made = store(random.Random(5), units, 60)
        db.session.commit()

        def n_of_p() -> int:
            return report_data.quarterly_trend(db.session, ScoreQuery(q, quarter, TZ), "P", quarter, 1)[0]["n"]

        with kept_matrices():
            first = n_of_p()
            assert n_of_p() == first
            late = Response(unit=units["C1"], questionnaire_id=q.id, questionnaire_version=q.version,
                            questionnaire_hash=q.content_hash, locale="vi", channel="paper",
                            submitted_at=datetime(2026, 5, 2, 9, tzinfo=TZ),
                            answers=[Answer(item_code=q.criterion_codes[0], value=5)])
            db.session.add(late)
            db.session.commit()
            assert n_of_p() == first + 1
            db.session.add(ResponseFlag(response_id=late.id, reasons="burst", flagged_at=late.submitted_at))
            db.session.commit()
            assert n_of_p() == first
    assert made
