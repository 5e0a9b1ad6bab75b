"""The figures as they travel: frozen dataclasses, read by attribute, never by string key.

Every number an officer sees is one of these, made by services/figures (the one read model)
and presented by the pages, the PDF, the workbook, the charts, the CLI and the jobs. The scores
JSON contract is written from them in one place (services/figures/document.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from survey_app.domain.change import Change
from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import Questionnaire
from survey_app.services.units import UnknownUnit

__all__ = [
    "Breakdown", "BreakdownCell", "ChannelCount", "Change", "Comment", "CommentPage", "Report", "CriterionFigures",
    "ElementFigures",
    "Figures", "FiguresQuery", "Index", "ScopeFigures", "Trend", "TrendPoint", "UnitFigures",
    "UnknownUnit", "Weighted",
]


@dataclass(frozen=True)
class FiguresQuery:
    """What is asked: one questionnaire, one period, one scope (a unit and every unit below it;
    None: every unit)."""

    questionnaire: Questionnaire
    period: Period
    tz: ZoneInfo
    min_ranked: int = 30           # MIN_RANKED_RESPONSES
    unit_code: str | None = None   # only this unit and the units below it
    by: tuple[str, ...] = ()       # breakdowns held by each unit: "channel" and/or profile codes
    min_breakdown: int = 10        # MIN_BREAKDOWN_RESPONSES: a smaller cell shows no index
    # RANKING_CHANNELS: the channels a rank is computed on; None: every channel.
    ranking_channels: tuple[str, ...] | None = None
    # Only the units this many levels below the scope's top (0: the top alone; a country's
    # ranking of its provinces: 1); None: every level. The figures do not change with it.
    levels: int | None = None


@dataclass(frozen=True)
class Index:
    """A percentage (0-100, unrounded) with its 95% interval and the n it stands on; ``value``
    is None when nobody gave a valid answer, ``ci`` None when it cannot be estimated."""

    value: float | None
    ci: tuple[float, float] | None
    n: int


@dataclass(frozen=True)
class CriterionFigures:
    code: str
    index: Index        # n: valid answers (blank and "no opinion" excluded); Wilson interval
    satisfied: int      # answers at or above satisfied_from


@dataclass(frozen=True)
class ElementFigures:
    code: str
    index: Index        # n: respondents with a valid answer to one of its criteria; linearised interval
    alpha: float | None  # Cronbach's alpha (domain.reliability)
    change: Change | None = None  # against the previous period's same element


@dataclass(frozen=True)
class Weighted:
    """The post-stratified SIPAS index (docs/indices.md, "Weighted index"); only where the
    volumes of transactions cover the period."""

    index: Index        # n: the raters weighted
    deff: float | None  # design effect


@dataclass(frozen=True)
class ChannelCount:
    """How many respondents of the scope came by a channel, and how many of that channel's
    responses are flagged as made up (left out until restored)."""

    channel: str
    n: int              # counted respondents who rated at least one criterion
    responses: int      # counted responses (raters or not)
    flagged: int        # flagged responses, not restored, not counted


@dataclass(frozen=True)
class BreakdownCell:
    answer: str         # a channel or a profile option code
    n: int
    index: Index | None  # None: suppressed, fewer than min_breakdown respondents

    @property
    def suppressed(self) -> bool:
        return self.index is None


@dataclass(frozen=True)
class Breakdown:
    question: str       # "channel" or a profile question's code
    cells: tuple[BreakdownCell, ...]  # the question's answers in file order (empty ones too), then others

    def cell(self, answer: str) -> BreakdownCell | None:
        return next((c for c in self.cells if c.answer == answer), None)


@dataclass(frozen=True, kw_only=True)
class Figures:
    """The figures of one scope in one period: a unit with every unit below it, or overall."""

    index: Index                                   # the SIPAS index; n: respondents who rated a criterion
    elements: Mapping[str, ElementFigures]         # every element of the plan, in file order
    criteria: Mapping[str, CriterionFigures]       # every criterion, in file order
    expectations: Mapping[str, float | None]       # option -> share in percent; None: nobody answered
    change: Change | None = None                   # SIPAS index against the previous period
    previous: Index | None = None                  # the previous period's SIPAS index of the same scope
    weighted: Weighted | None = None
    flagged: int = 0                               # responses flagged and not restored
    channels: tuple[ChannelCount, ...] = ()        # every channel, in domain.submission.CHANNELS order
    by: Mapping[str, Breakdown] = field(default_factory=dict)  # the breakdowns asked (FiguresQuery.by)

    @property
    def n(self) -> int:
        return self.index.n

    def weakest(self, count: int = 3) -> tuple[CriterionFigures, ...]:
        """The ``count`` criteria of lowest index (unscored ones left out); ties in file order."""
        scored = [(c.index.value, i, c) for i, c in enumerate(self.criteria.values()) if c.index.value is not None]
        return tuple(c for _, _, c in sorted(scored, key=lambda t: t[:2])[:count])


@dataclass(frozen=True, kw_only=True)
class UnitFigures(Figures):
    unit: str                        # code
    name: str
    parent: str | None               # the parent's code; None for a root
    depth: int = 0                   # 0 for the scope's top
    rank: int | None = None          # among siblings (domain.scoring.competition_ranks)
    previous_rank: int | None = None
    invitations: int = 0             # issued in the period by the unit and every unit below it
    response_rate: float | None = None  # answered / issued (0-1); None with no invitation

    @property
    def rank_change(self) -> int | None:
        """previous rank - rank: positive = moved up."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


@dataclass(frozen=True)
class ScopeFigures:
    questionnaire: str
    period: Period
    previous_period: Period
    scope: str | None                   # the unit asked for; None: every unit
    min_ranked: int
    ranking_channels: tuple[str, ...]   # the channels ranks were computed on
    overall: Figures                    # what every shown unit covers, pooled
    units: tuple[UnitFigures, ...]      # tree order: parents before children, siblings by code

    def unit(self, code: str) -> UnitFigures:
        found = next((u for u in self.units if u.unit == code), None)
        if found is None:
            raise UnknownUnit(code)
        return found

    @property
    def top(self) -> UnitFigures | None:
        """The unit asked for (the first in tree order), None for every unit."""
        return self.units[0] if self.scope is not None and self.units else None

    def children(self, code: str | None) -> tuple[UnitFigures, ...]:
        return tuple(u for u in self.units if u.parent == code)


@dataclass(frozen=True)
class TrendPoint:
    period: Period                      # a calendar quarter
    index: Index                        # the scope's SIPAS index in it
    elements: Mapping[str, float | None]  # element indices

    @property
    def label(self) -> str:
        return f"Q{(self.period.start.month - 1) // 3 + 1}/{self.period.start.year}"


@dataclass(frozen=True)
class Trend:
    unit: str
    points: tuple[TrendPoint, ...]      # oldest first

    @property
    def last_day(self) -> date | None:
        return self.points[-1].period.end if self.points else None


@dataclass(frozen=True)
class Comment:
    submitted_at: datetime   # in the deployment's time zone
    channel: str
    text: str                # masked (domain.masking): no phone number, e-mail or ID number
    unit: str                # code
    unit_name: str


@dataclass(frozen=True)
class CommentPage:
    """One page of the comments of a scope, newest first."""

    total: int
    page: int
    per_page: int | None     # None: every comment on one page
    items: tuple[Comment, ...]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page)) if self.per_page else 1


@dataclass(frozen=True)
class Report:
    """Everything a report document (PDF, workbook, text) shows, whatever its language."""

    figures: ScopeFigures
    comments: CommentPage
