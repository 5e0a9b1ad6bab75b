"""The demo's synthetic data as plain values: units, responses and invitations, decided up front.

Everything comes from one ``random.Random(seed)`` and the date of ``now``: the data ends with
the day before, so the same seed gives the same data all day long. Nothing here knows the
default questionnaire's codes: answers, expectations and profile answers are drawn from
whatever questionnaires the catalog holds.

How answers are drawn: each answer is a latent satisfaction ``z`` = the unit's level that quarter
(as a normal quantile) + an element offset + the respondent's mood + noise; ``z > 0`` is a
satisfied level. The mood, shared by one respondent's answers, makes them correlated as real
ones are, so the intervals are as wide as real ones.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from statistics import NormalDist
from typing import Any

from survey_app.domain import demo_comments
from survey_app.domain.catalog import Catalog
from survey_app.domain.demo_province import (
    INVITATIONS_FROM,
    QUARTERS,
    DemoUnit,
    answering_units,
    units_with_parents,
)
from survey_app.domain.demo_visitors import profile_weights
from survey_app.domain.invitation import DossierChannel
from survey_app.domain.periods import Period, period_of
from survey_app.domain.questionnaire import NO_OPINION, Questionnaire
from survey_app.domain.submission import Channel, Submission

SHEET = 8                   # slips are printed eight to an A4 sheet
OTHER_QUESTIONNAIRES = 0.07  # share of responses to the catalog's other questionnaires
KIOSK_SHARE, INVITED_SHARE = 0.35, 0.07  # of a unit's responses, once it has a kiosk / issues invitations
MOOD, NOISE = 0.6, 0.8      # standard deviations of the latent satisfaction's parts
NORMAL = NormalDist()


@dataclass(frozen=True)
class PlannedResponse:
    unit: str
    questionnaire: str
    submitted_at: datetime  # aware, UTC
    channel: str
    locale: str
    submission: Submission


@dataclass(frozen=True)
class PlannedBatch:
    """Invitations issued at one moment (a sheet of slips), and the answers some of them got."""

    unit: str
    issued_at: datetime  # aware, UTC
    channel: str         # how the dossiers came in (a DossierChannel)
    count: int
    answers: tuple[PlannedResponse, ...]  # each answers one invitation of the batch, after issued_at


@dataclass(frozen=True)
class DemoPlan:
    units: tuple[tuple[str, str, str | None], ...]  # (code, name, parent code), parents first
    responses: tuple[PlannedResponse, ...]          # every response but the answers to invitations
    batches: tuple[PlannedBatch, ...]

    @property
    def response_count(self) -> int:
        return len(self.responses) + sum(len(b.answers) for b in self.batches)


def demo_quarters(today: date) -> list[Period]:
    """The quarters the demo covers, oldest first: eight full ones and the current one."""
    quarters = [period_of("quarter", today)]
    while len(quarters) < QUARTERS:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


def allocate(total: int, weights: dict[Any, float]) -> dict[Any, int]:
    """``total`` split in proportion to ``weights`` in whole numbers (largest remainders)."""
    whole = sum(weights.values())
    exact = {key: total * w / whole for key, w in weights.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    short = total - sum(counts.values())
    for key in sorted(exact, key=lambda key: counts[key] - exact[key])[:short]:
        counts[key] += 1
    return counts


@dataclass
class _Traits:
    """What stays fixed for one unit and questionnaire: its strong and weak elements, its wishes."""

    offsets: list[float]
    expectation_weights: list[float] = field(default_factory=list)


class _Planner:
    def __init__(self, catalog: Catalog, rng: random.Random, horizon: datetime, invitations: bool,
                 valid_for: timedelta):
        self.catalog, self.rng, self.horizon = catalog, rng, horizon
        self.invitations, self.valid_for = invitations, valid_for
        self.others = [q for q in catalog if q.id != catalog.default_id]
        # Per questionnaire: elements harder or easier to satisfy (centred, so that a unit's index
        # stays near its level), their "no opinion" rates, and who the visitors are.
        self.offsets = {q.id: _centred([rng.gauss(0, 0.3) for _ in q.elements]) for q in catalog}
        self.no_opinion = {q.id: [rng.uniform(0.01, 0.08) for _ in q.elements] for q in catalog}
        self.profile = {q.id: {p.code: profile_weights(p.code, [o.code for o in p.options]) for p in q.profile}
                        for q in catalog}
        self.traits: dict[tuple[str, str], _Traits] = {}
        self.levels = {q.id: _levels(q) for q in catalog}

    def traits_of(self, unit: DemoUnit, q: Questionnaire) -> _Traits:
        key = (unit.code, q.id)
        if key not in self.traits:
            own = _centred([self.rng.gauss(0, 0.25) for _ in q.elements])
            options = q.expectations.options if q.expectations else ()
            self.traits[key] = _Traits([a + b for a, b in zip(self.offsets[q.id], own)],
                                       [0.2 + self.rng.random() for _ in options])
        return self.traits[key]

    def moment(self, window: tuple[date, date]) -> datetime:
        """A time in office hours (7:30-17:00; Sundays closed, Saturday mornings rarely) in ``window``."""
        first, last = window
        day = last
        for _ in range(30):
            day = first + timedelta(days=self.rng.randrange((last - first).days + 1))
            if day.weekday() < 5 or (day.weekday() == 5 and self.rng.random() < 0.2):
                break
        opening = datetime.combine(day, time(7, 30), self.horizon.tzinfo)
        return opening + timedelta(minutes=self.rng.randrange(570))

    def submission(self, q: Questionnaire, unit: DemoUnit, level: int, locale: str) -> Submission:
        rng, traits = self.rng, self.traits_of(unit, q)
        base, mood = NORMAL.inv_cdf(level / 100), rng.gauss(0, MOOD)
        ratings: dict[str, int] = {}
        satisfied = valid = 0
        # The further z is from 0, the further the level from the satisfied threshold.
        satisfied_levels, unsatisfied_levels = self.levels[q.id]
        top, bottom = len(satisfied_levels) - 1, len(unsatisfied_levels) - 1
        for element, offset, skip in zip(q.elements, traits.offsets, self.no_opinion[q.id]):
            for criterion in element.criteria:
                roll = rng.random()
                if roll < 0.02 and not criterion.required:
                    continue  # left blank
                if roll < 0.02 + skip and q.scale.no_opinion is not None:
                    ratings[criterion.code] = NO_OPINION
                    continue
                z = base + offset + mood + rng.gauss(0, NOISE)
                ratings[criterion.code] = (satisfied_levels[min(top, int(z / 0.9))] if z > 0
                                           else unsatisfied_levels[min(bottom, int(-z / 0.7))])
                valid += 1
                satisfied += z > 0
        expectations: frozenset[str] = frozenset()
        if q.expectations and rng.random() < 0.75:
            options = [o.code for o in q.expectations.options]
            wanted = rng.randint(1, min(q.expectations.max_choices, len(options)))
            expectations = frozenset(_weighted_sample(rng, options, traits.expectation_weights, wanted))
        profile = {p.code: rng.choices(p.options, weights=self.profile[q.id][p.code])[0].code
                   for p in q.profile if rng.random() < 0.7}
        share = satisfied / valid if valid else 0.5
        comment = None
        # Displeased citizens write more often; comments are written in Vietnamese.
        if q.comment and locale == q.default_language and rng.random() < 0.03 + 0.1 * (1 - share):
            comment = demo_comments.compose(rng, unit.topics, share, q.comment.max_length)
        return Submission(ratings, expectations, profile, comment)

    def response(self, unit: DemoUnit, k: int, window: tuple[date, date]) -> PlannedResponse:
        rng = self.rng
        q = self.catalog.default
        if self.others and rng.random() < OTHER_QUESTIONNAIRES:
            q = rng.choice(self.others)
        roll = rng.random()
        kiosk = KIOSK_SHARE if unit.kiosk_from is not None and k >= unit.kiosk_from else 0.0
        invited = (INVITED_SHARE if self.invitations and unit.answered and k >= INVITATIONS_FROM
                   and q is self.catalog.default else 0.0)
        channel = (Channel.PAPER if roll < unit.paper else Channel.KIOSK if roll < unit.paper + kiosk
                   else Channel.INVITATION if roll < unit.paper + kiosk + invited else Channel.LINK)
        locale = q.languages[-1] if rng.random() < unit.foreign else q.default_language
        return PlannedResponse(unit.code, q.id, self.moment(window).astimezone(UTC), str(channel),
                               locale, self.submission(q, unit, unit.levels[k], locale))

    def batches(self, unit: DemoUnit, invited: list[PlannedResponse],
                window: tuple[date, date]) -> list[PlannedBatch]:
        """Sheets of slips enough for ``invited`` answers at the unit's response rate; each answer
        comes a little after its sheet was issued, and before it expires."""
        rng = self.rng
        issued = max(len(invited), round(len(invited) / unit.answered))
        counts = [SHEET] * (issued // SHEET) + ([issued % SHEET] if issued % SHEET else [])
        times = sorted(self.moment(window) for _ in counts)
        channels = rng.choices(list(DossierChannel), weights=(7, 2, 1), k=len(counts))
        slots = [b for b, count in enumerate(counts) for _ in range(count)]
        rng.shuffle(slots)
        answers: list[list[PlannedResponse]] = [[] for _ in counts]
        for response, b in zip(invited, slots):
            delay = timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 8)), minutes=rng.randrange(20, 300))
            answered = min(times[b] + delay, times[b] + self.valid_for - timedelta(minutes=1),
                           self.horizon - timedelta(minutes=1))
            answers[b].append(replace(response, submitted_at=answered.astimezone(UTC)))
        return [PlannedBatch(unit.code, at.astimezone(UTC), str(channel), count, tuple(done))
                for at, channel, count, done in zip(times, channels, counts, answers)]


def plan_demo(catalog: Catalog, *, responses: int, seed: int, now: datetime, invitations: bool = True,
              valid_for: timedelta = timedelta(days=30)) -> DemoPlan:
    """``responses`` responses over the demo's quarters up to the day before ``now`` (aware, local).

    Volumes grow over time (the survey caught on) and differ by unit; the current quarter gets
    its share so far. With ``invitations``, units that issue them do so from INVITATIONS_FROM on,
    and some of their responses are answers to those invitations.
    """
    rng = random.Random(seed)
    today = now.date()
    planner = _Planner(catalog, rng, datetime.combine(today, time.min, now.tzinfo), invitations, valid_for)
    units = answering_units()
    windows, weights = [], {}
    for k, quarter in enumerate(demo_quarters(today)):
        last = min(quarter.end, today - timedelta(days=1))
        elapsed = max(0, (last - quarter.start).days + 1) / quarter.days
        windows.append((quarter.start, last))
        for unit in units:
            weights[(unit.code, k)] = unit.weight * (0.7 + 0.075 * k) * elapsed
    counts = allocate(responses, weights)
    planned: list[PlannedResponse] = []
    batches: list[PlannedBatch] = []
    for unit in units:
        for k, window in enumerate(windows):
            made = [planner.response(unit, k, window) for _ in range(counts[(unit.code, k)])]
            planned += [r for r in made if r.channel != Channel.INVITATION]
            invited = [r for r in made if r.channel == Channel.INVITATION]
            if invited:
                batches += planner.batches(unit, invited, window)
    return DemoPlan(tuple(units_with_parents()), tuple(planned), tuple(batches))


def _centred(values: list[float]) -> list[float]:
    mean = sum(values) / len(values)
    return [v - mean for v in values]


def _levels(q: Questionnaire) -> tuple[list[int], list[int]]:
    """The satisfied levels from the lowest up and the others from the highest down (either
    list stands in for the other on a scale that lacks one)."""
    values = q.scale.values
    satisfied = sorted(v for v in values if v >= q.scale.satisfied_from)
    unsatisfied = sorted((v for v in values if v < q.scale.satisfied_from), reverse=True)
    return satisfied or unsatisfied[:1], unsatisfied or satisfied[:1]


def _weighted_sample(rng: random.Random, items: list[str], weights: list[float], k: int) -> list[str]:
    items, weights, chosen = list(items), list(weights), []
    for _ in range(k):
        i = rng.choices(range(len(items)), weights=weights)[0]
        chosen.append(items.pop(i))
        weights.pop(i)
    return chosen
