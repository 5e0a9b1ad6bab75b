"""services/figures against the oracle (tests/figures_oracle.py) on random data: random trees,
blanks, "no opinion", expectations, profiles, every channel, flagged then restored responses,
late responses into a closed month, imports, periods and custom ranges that cut months.
Indices and counts must be equal to the last bit, intervals and alpha within 1e-9."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from factories import record, shipped_catalog, sipas, submission
from figures_oracle import close, ranks, unit_scores
from sqlalchemy import select

from survey_app.domain.periods import Period
from survey_app.domain.submission import CHANNELS
from survey_app.extensions import db
from survey_app.models import Response, ResponseFlag, Unit
from survey_app.services.accounts import create_user
from survey_app.services.figures import FiguresQuery, scope_figures, trend
from survey_app.services.integrity import FLAG, RESTORE, review
from survey_app.services.interchange import import_responses

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 1, 1, tzinfo=TZ)
SPAN_DAYS = 110  # into the running month (April 2026)


def _tree(rng: random.Random) -> list[Unit]:
    units: list[Unit] = []
    for r in range(rng.randint(1, 2)):
        root = Unit(code=f"R{r}", name=f"Tỉnh {r}")
        db.session.add(root)
        units.append(root)
        db.session.flush()
        frontier = [root]
        while frontier and len(units) < 12:
            parent = frontier.pop(0)
            for c in range(rng.randint(1, 4)):
                child = Unit(code=f"{parent.code}.{c}", name=f"Xã {parent.code}.{c}", parent_id=parent.id)
                db.session.add(child)
                db.session.flush()
                units.append(child)
                if rng.random() < 0.4:
                    frontier.append(child)
    return units


def _answers(rng: random.Random, q):
    ratings = {}
    for code in q.criterion_codes:
        draw = rng.random()
        if draw < 0.15:
            continue                      # blank
        ratings[code] = 0 if draw < 0.25 else rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5])
    if rng.random() < 0.05:
        ratings = {code: 0 for code in rng.sample(q.criterion_codes, 3)}  # no opinion only: no rater
    options = [o.code for o in q.expectations.options]
    chosen = tuple(rng.sample(options, rng.randint(1, 3))) if rng.random() < 0.6 else ()
    profile = {p.code: rng.choice(p.options).code for p in q.profile if rng.random() < 0.5}
    return ratings, chosen, profile


def _at(rng: random.Random, first: datetime, days: float) -> datetime:
    return (first + timedelta(seconds=rng.uniform(0, days * 86400))).astimezone(timezone.utc)


def _import(rng: random.Random, q, units: list[Unit], count: int, first: datetime, days: float) -> None:
    rows = []
    for _ in range(count):
        ratings, chosen, profile = _answers(rng, q)
        row = {"submitted_at": _at(rng, first, days).astimezone(TZ).isoformat(), "unit": rng.choice(units).code,
               "questionnaire": q.id, "channel": rng.choice(CHANNELS), "locale": q.default_language,
               **{code: "" for code in q.criterion_codes}, **{code: str(v) for code, v in ratings.items()},
               "expectations": ";".join(chosen), **{p.code: "" for p in q.profile}, **profile, "comment": ""}
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    import_responses(db.session, shipped_catalog(), out.getvalue().encode())


def _scenario(seed: int) -> None:
    rng = random.Random(seed)
    q = sipas()
    units = _tree(rng)
    stored = []
    for _ in range(rng.randint(250, 400)):
        ratings, chosen, profile = _answers(rng, q)
        stored.append(record(db.session, rng.choice(units), q, submission(q, expectations=chosen, profile=profile,
                                                                           **ratings),
                             at=_at(rng, START, SPAN_DAYS), channel=rng.choice(CHANNELS)))
    db.session.commit()
    # Flagged, then some restored, then one of those flagged back.
    from survey_app.domain.integrity import Reason
    from survey_app.services.integrity import _write_flags
    now = datetime(2026, 4, 20, tzinfo=timezone.utc)
    suspects = rng.sample(stored, 40)
    _write_flags(db.session, {r.id: {Reason.BURST} for r in suspects}, now, -1)
    officer = create_user(db.session, email="o@example.vn", password="correct horse battery", role="admin",
                          unit=None, now=now)
    for response in suspects[:15]:
        review(db.session, db.session.get(ResponseFlag, response.id), decision=RESTORE, reason="real", user=officer,
               now=now)
    review(db.session, db.session.get(ResponseFlag, suspects[0].id), decision=FLAG, reason="fake after all",
           user=officer, now=now)
    db.session.commit()
    # Late responses into a closed month (January), an import into it and into the running month.
    for _ in range(30):
        ratings, chosen, profile = _answers(rng, q)
        record(db.session, rng.choice(units), q, submission(q, expectations=chosen, profile=profile, **ratings),
               at=_at(rng, START, 31), channel="paper")
    _import(rng, q, units, 60, START, 31)
    _import(rng, q, units, 60, datetime(2026, 4, 1, tzinfo=TZ), 19)
    db.session.commit()


PERIODS = [
    Period(date(2026, 1, 1), date(2026, 3, 31)),     # a closed quarter
    Period(date(2026, 3, 1), date(2026, 3, 31)),     # a month
    Period(date(2026, 4, 1), date(2026, 6, 30)),     # the running quarter
    Period(date(2026, 1, 1), date(2026, 12, 31)),    # the year
    Period(date(2026, 2, 10), date(2026, 4, 15)),    # a custom range cutting three months
    Period(date(2026, 1, 31), date(2026, 2, 1)),     # two days across a month's end
]


def _compare(found, expected, label: str) -> None:
    assert found.n == expected.n, label
    assert found.index.value == expected.index, label
    assert close(found.index.ci, expected.ci), label
    for code, c in expected.criteria.items():
        got = found.criteria[code]
        assert (got.index.n, got.satisfied, got.index.value) == (c.n, c.satisfied, c.index), (label, code)
        assert close(got.index.ci, c.ci), (label, code)
    for code, e in expected.elements.items():
        got = found.elements[code]
        assert got.index.value == e.index, (label, code)
        assert close(got.index.ci, e.ci), (label, code)
        assert close(got.alpha, e.alpha), (label, code)
    assert dict(found.expectations) == expected.expectations, label


@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.nightly)])
def test_the_engine_gives_the_oracles_figures(app, seed):
    with app.app_context():
        _scenario(seed)
        q = sipas()
        for period in PERIODS:
            expected = unit_scores(db.session, q, period, TZ)
            before = unit_scores(db.session, q, period.previous(), TZ)
            expected_ranks, before_ranks = ranks(db.session, expected, 5), ranks(db.session, before, 5)
            found = scope_figures(db.session, FiguresQuery(q, period, TZ, min_ranked=5))
            assert {u.unit for u in found.units} == set(expected)
            for unit in found.units:
                label = f"{period} {unit.unit}"
                _compare(unit, expected[unit.unit], label)
                assert unit.previous.n == before[unit.unit].n and unit.previous.value == before[unit.unit].index
                assert (unit.rank, unit.previous_rank) == (expected_ranks[unit.unit], before_ranks[unit.unit]), label
            # A unit's scope: its figures pooled are its subtree's.
            top = found.units[0]
            scoped = scope_figures(db.session, FiguresQuery(q, period, TZ, min_ranked=5, unit_code=top.unit))
            _compare(scoped.overall, expected[top.unit], f"{period} scope {top.unit}")


def test_the_trend_is_each_quarters_figures(app):
    with app.app_context():
        _scenario(3)
        q = sipas()
        query = FiguresQuery(q, Period(date(2026, 4, 1), date(2026, 6, 30)), TZ)
        code = db.session.scalar(select(Unit.code).where(Unit.parent_id.is_(None)).order_by(Unit.code))
        found = trend(db.session, query, code, 3)
        assert [p.period.start for p in found.points] == [date(2025, 10, 1), date(2026, 1, 1), date(2026, 4, 1)]
        for point in found.points:
            expected = unit_scores(db.session, q, point.period, TZ)[code]
            assert (point.index.n, point.index.value) == (expected.n, expected.index)
            assert close(point.index.ci, expected.ci)
            assert dict(point.elements) == {c: e.index for c, e in expected.elements.items()}


def test_the_scores_document_is_written_from_the_typed_figures(app):
    from survey_app.services.figures import scores_document
    from survey_app.services.scores import ScoreQuery, period_scores
    with app.app_context():
        _scenario(4)
        q = sipas()
        for period in PERIODS[:3]:
            for unit_code, by in ((None, ()), ("R0", ("channel", "gender"))):
                query = FiguresQuery(q, period, TZ, min_ranked=5, unit_code=unit_code, by=by)
                _same(scores_document(scope_figures(db.session, query)), period_scores(
                    db.session, ScoreQuery(q, period, TZ, min_ranked=5, unit_code=unit_code, by=by)), "")


def _same(found, expected, path: str) -> None:
    """Equal documents: the same keys and values, floats within 1e-9."""
    if isinstance(expected, dict):
        assert isinstance(found, dict) and list(found) == list(expected), path
        for key in expected:
            _same(found[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(found, list) and len(found) == len(expected), path
        for i, (a, b) in enumerate(zip(found, expected)):
            _same(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) and isinstance(found, float):
        assert close(found, expected), (path, found, expected)
    else:
        assert found == expected, (path, found, expected)


def test_ranks_on_the_ranking_channels_only(app):
    with app.app_context():
        _scenario(5)
        q = sipas()
        period = PERIODS[0]
        channels = ("invitation", "kiosk", "paper")
        expected = unit_scores(db.session, q, period, TZ)
        on_channels = unit_scores(db.session, q, period, TZ, channels)
        before = unit_scores(db.session, q, period.previous(), TZ, channels)
        found = scope_figures(db.session, FiguresQuery(q, period, TZ, min_ranked=5, ranking_channels=channels))
        assert found.ranking_channels == channels
        ranked, previously = ranks(db.session, on_channels, 5), ranks(db.session, before, 5)
        assert {u.unit: u.rank for u in found.units} == ranked
        assert {u.unit: u.previous_rank for u in found.units} == previously
        assert ranked != ranks(db.session, expected, 5)   # the data make the channels matter
        for unit in found.units:  # what is shown stays every channel's
            _compare(unit, expected[unit.unit], unit.unit)
            counts = {c.channel: c for c in unit.channels}
            assert sum(c.n for c in counts.values()) == unit.n
            assert list(counts)[:len(CHANNELS)] == list(CHANNELS)


def test_channel_counts_hold_the_flagged_responses(app):
    with app.app_context():
        _scenario(6)
        q = sipas()
        period = Period(date(2026, 1, 1), date(2026, 12, 31))
        start, end = period.utc_bounds(TZ)
        flagged = {}
        for channel, restored, at in db.session.execute(
                select(Response.channel, ResponseFlag.restored, Response.submitted_at)
                .join(ResponseFlag, ResponseFlag.response_id == Response.id)):
            if not restored and start <= at < end:
                flagged[channel] = flagged.get(channel, 0) + 1
        found = scope_figures(db.session, FiguresQuery(q, period, TZ))
        assert {c.channel: c.flagged for c in found.overall.channels if c.flagged} == flagged
        assert found.overall.flagged == sum(flagged.values()) > 0


def test_a_scope_below_the_top_ranks_its_root_among_siblings_it_does_not_show(app):
    """A unit's page reads its siblings' counts only (not their sums): its rank, its units'
    ranks and figures are still the oracle's."""
    with app.app_context():
        _scenario(7)
        q = sipas()
        children = list(db.session.scalars(select(Unit.code).where(Unit.parent_id.is_not(None)).order_by(Unit.id)))
        for period in PERIODS[:4]:
            expected = unit_scores(db.session, q, period, TZ)
            before = unit_scores(db.session, q, period.previous(), TZ)
            expected_ranks, before_ranks = ranks(db.session, expected, 5), ranks(db.session, before, 5)
            for code in children[:3]:
                found = scope_figures(db.session, FiguresQuery(q, period, TZ, min_ranked=5, unit_code=code))
                assert found.units[0].unit == code
                for unit in found.units:
                    label = f"{period} {code}: {unit.unit}"
                    _compare(unit, expected[unit.unit], label)
                    assert (unit.rank, unit.previous_rank) == (expected_ranks[unit.unit], before_ranks[unit.unit]), label


def test_months_changed_by_hand_or_kept_by_another_layout_are_read_from_the_responses(app):
    """A quarter's or a year's row holding a month whose responses were deleted by hand (the
    database marks it stale), or a month kept by another structure of the questionnaire, is
    not used: the figures are still the oracle's."""
    from sqlalchemy import delete, update

    from survey_app.models import Answer, Choice, FigureCell
    with app.app_context():
        _scenario(8)
        q = sipas()
        february = datetime(2026, 2, 1, tzinfo=timezone.utc), datetime(2026, 3, 1, tzinfo=timezone.utc)
        victims = list(db.session.scalars(select(Response.id).where(
            Response.submitted_at >= february[0], Response.submitted_at < february[1]).order_by(Response.id).limit(5)))
        assert victims
        for table in (Answer, Choice, ResponseFlag):
            db.session.execute(delete(table).where(table.response_id.in_(victims)))
        db.session.execute(delete(Response).where(Response.id.in_(victims)))
        db.session.execute(update(FigureCell).where(FigureCell.months == 1, FigureCell.month == date(2026, 3, 1))
                           .values(layout="0" * 16))
        db.session.commit()
        for period in PERIODS:
            expected = unit_scores(db.session, q, period, TZ)
            found = scope_figures(db.session, FiguresQuery(q, period, TZ, min_ranked=5))
            assert {u.unit for u in found.units} == set(expected)
            for unit in found.units:
                _compare(unit, expected[unit.unit], f"{period} {unit.unit}")
