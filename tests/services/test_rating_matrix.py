"""services.rating_matrix: the scores document, read into arrays by the database, holds exactly
the figures of ``domain.scoring.score`` fed each subtree's respondents one by one.

Random responses on a tree of units: blanks, "no opinion" 0s, expectations (one retired option),
a rating wider than the first packing, flagged and restored responses, two periods; then the
weighted block, once volumes cover every cell, against ``domain.weighting.weighted_sipas``.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import sipas, unit_tree
from figures_oracle import same, scores_as_dict

from survey_app.domain.periods import Period
from survey_app.domain.scoring import Respondent, score
from survey_app.domain.submission import CHANNELS, EXPECTATIONS
from survey_app.domain.weighting import weighted_sipas
from survey_app.extensions import db
from survey_app.models import Answer, Choice, Response, ResponseFlag
from survey_app.services.figures.rebuild import rebuild
from survey_app.services.scores import ScoreQuery, period_scores
from survey_app.services.volumes import cell_volumes, import_volumes

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = date(2026, 3, 1)
FEBRUARY = date(2026, 2, 1)
TREE = "P > D1 > C1, C2, C3; P > D2 > C4; P > D3; Q > C5"
FIGURES = ("n", "index", "ci", "change", "elements", "criteria", "expectations")


def store_random_responses(rng: random.Random, units, count: int) -> list[tuple[Response, Respondent]]:
    """``count`` responses in February or March, each with the Respondent it should score as."""
    q = sipas()
    options = [o.code for o in q.expectations.options] + ["RETIRED"]
    made = []
    for _ in range(count):
        ratings = {code: rng.choice((0, 1, 2, 3, 4, 5)) for code in q.criterion_codes if rng.random() < 0.7}
        chosen = rng.sample(options, rng.choice((0, 0, 1, 2, 3)))
        month = rng.choice((MARCH, FEBRUARY))
        at = datetime(month.year, month.month, rng.randint(1, 28), rng.randint(0, 23), tzinfo=TZ)
        response = Response(
            unit=units[rng.choice(("P", "D1", "D2", "C1", "C2", "C3", "C4", "C5"))], questionnaire_id=q.id,
            questionnaire_version=q.version, questionnaire_hash=q.content_hash, locale="vi",
            channel=rng.choice(CHANNELS), submitted_at=at,
            answers=[Answer(item_code=code, value=value) for code, value in ratings.items()],
            choices=[Choice(question_code=EXPECTATIONS, option_code=option) for option in chosen])
        db.session.add(response)
        made.append((response, Respondent(ratings, frozenset(chosen) or None)))
    db.session.flush()
    return made


@pytest.mark.parametrize("seed", [1, 2])
def test_every_unit_and_the_total_score_as_their_respondents_do(app, seed):
    rng = random.Random(seed)
    with app.app_context():
        units = unit_tree(db.session, TREE)
        made = store_random_responses(rng, units, 240)
        q = sipas()
        # A level wider than four bits (an odd old scale): the ratings are read again, wider.
        i = next(i for i, (r, _) in enumerate(made) if r.answers and r.submitted_at.astimezone(TZ).month == 3)
        wide, respondent = made[i]
        wide.answers[0].value = 17
        made[i] = (wide, Respondent({**respondent.ratings, wide.answers[0].item_code: 17}, respondent.expectations))
        # Flagged responses leave the figures until restored.
        flagged, restored = made[i + 1][0], made[i + 2][0]
        db.session.add_all([
            ResponseFlag(response_id=flagged.id, reasons="burst", flagged_at=flagged.submitted_at),
            ResponseFlag(response_id=restored.id, reasons="burst", flagged_at=restored.submitted_at, restored=True)])
        db.session.commit()
        # Written by hand, past the services (as a hand-typed SQL would be): the sums made again.
        rebuild(db.session, [q])
        db.session.commit()
        counted = [(r.unit.code, r.id, r.submitted_at.astimezone(TZ).month, respondent, (r.unit_id, r.channel))
                   for r, respondent in made if r is not flagged]
        query = ScoreQuery(q, Period(MARCH, date(2026, 3, 31)), TZ, min_ranked=1)
        document = period_scores(db.session, query)
        # Then with a volume of transactions for every cell: the weighted block appears.
        import_volumes(db.session, ("unit,channel,period_start,period_end,count\n" + "".join(
            f"{code},{channel},2026-03-01,2026-03-31,{rng.randint(1, 900)}\n" for code in units for channel in CHANNELS
        )).encode())
        db.session.commit()
        volumes = cell_volumes(db.session, query.period, TZ)
        weighted = period_scores(db.session, query)

    order = [u["unit"] for u in document["units"]]
    assert order == ["P", "D1", "C1", "C2", "C3", "D2", "C4", "D3", "Q", "C5"]
    below = {code: {code} for code in order}
    for code in reversed(order):
        parent = document["units"][order.index(code)]["parent"]
        if parent:
            below[parent] |= below[code]
    plan = q.scoring_plan()

    def rows(codes: set[str], month: date) -> list[tuple[Respondent, tuple[int, str]]]:
        # In the service's row order: units in tree order, then response id.
        chosen = [(order.index(code), response_id, respondent, cell) for code, response_id, in_month, respondent, cell
                  in counted if code in codes and in_month == month.month]
        return [(respondent, cell) for _, _, respondent, cell in sorted(chosen, key=lambda row: row[:2])]

    def respondents(codes: set[str], month: date) -> list[Respondent]:
        return [respondent for respondent, _ in rows(codes, month)]

    def weighted_block(codes: set[str]) -> dict:
        respondents, cells = zip(*rows(codes, MARCH))
        return weighted_sipas(plan, respondents, cells, volumes).as_dict()

    for unit in document["units"]:
        codes = below[unit["unit"]]
        expected = scores_as_dict(score(plan, respondents(codes, MARCH)), score(plan, respondents(codes, FEBRUARY)))
        same({key: unit[key] for key in FIGURES}, expected, unit["unit"])  # intervals within 1e-9
        assert "weighted" not in unit
    everything = set(order)
    expected = scores_as_dict(score(plan, respondents(everything, MARCH)), score(plan, respondents(everything, FEBRUARY)))
    same({key: document["overall"][key] for key in FIGURES}, expected)
    for unit in weighted["units"]:
        if rows(below[unit["unit"]], MARCH):
            same(unit["weighted"], weighted_block(below[unit["unit"]]), unit["unit"])
    same(weighted["overall"]["weighted"], weighted_block(everything))
    assert document["overall"]["n"] > 50 and document["overall"]["expectations"]["MD1"] is not None
