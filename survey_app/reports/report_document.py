"""What a report document shows in one language, around the engine's figures: the labels of
the questionnaire, the criteria to improve first, the expectations most chosen, the methodology.

The figures themselves are read as they come (services.figures: ScopeFigures, UnitFigures,
Index...), never copied into dicts. A new section of the PDF or the workbook is a function
reading this (and a template include for the PDF): add what it needs here, as an attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.reliability import MIN_ALPHA_RESPONDENTS
from survey_app.services.alerts import Alerts
from survey_app.services.case_report import UnitCases
from survey_app.services.figures import ChannelCount, CommentPage, CriterionFigures, Figures, Report, ScopeFigures, UnitFigures

WEAKEST_CRITERIA = 3
CONFIDENCE = 0.95


def received(channels: tuple[ChannelCount, ...]) -> tuple[ChannelCount, ...]:
    """The channels a scope received anything by (counted or flagged), in the engine's order."""
    return tuple(c for c in channels if c.responses or c.flagged)


def flagged_share(count: ChannelCount) -> float | None:
    """Of what a channel brought in the period, the part flagged as made up (0-1), left out of
    every figure until restored; None when it brought nothing."""
    brought = count.responses + count.flagged
    return count.flagged / brought if brought else None


@dataclass(frozen=True)
class Labels:
    """The questionnaire's texts in the document's language, by code."""

    title: str
    elements: Mapping[str, str]
    criteria: Mapping[str, str]
    criterion_element: Mapping[str, str]   # criterion code -> its element's code
    expectations: Mapping[str, str]

    @classmethod
    def of(cls, q: Questionnaire, language: str) -> Labels:
        return cls(
            title=q.text(q.title, language),
            elements={e.code: q.text(e.title, language) for e in q.elements},
            criteria={c.code: q.text(c.text, language) for c in q.criteria},
            criterion_element={c.code: e.code for e in q.elements for c in e.criteria},
            expectations={o.code: q.text(o.label, language) for o in q.expectations.options} if q.expectations else {},
        )


@dataclass(frozen=True)
class Level:
    value: int
    label: str


@dataclass(frozen=True)
class Methodology:
    questionnaire: str
    version: int
    content_hash: str
    min_ranked: int
    satisfied_from: int
    scale: tuple[Level, ...]
    timezone: str
    confidence: float = CONFIDENCE
    alpha_min_respondents: int = MIN_ALPHA_RESPONDENTS

    @property
    def satisfied_label(self) -> str:
        return next((level.label for level in self.scale if level.value == self.satisfied_from), "")


@dataclass(frozen=True)
class Expectation:
    code: str
    label: str
    share: float | None


@dataclass(frozen=True)
class ReportDocument:
    """One report (services.figures.Report) as a document in ``language``."""

    report: Report
    language: str
    labels: Labels
    methodology: Methodology
    early_warning: Alerts | None = None  # the "Cảnh báo sớm" section (reports/report_files.py adds it)
    # Citizens' requests per unit of the report, in its order (reports/case_figures.py adds them).
    cases: tuple[UnitCases, ...] = ()

    @classmethod
    def of(cls, report: Report, q: Questionnaire, tz: ZoneInfo, language: str | None) -> ReportDocument:
        language = language if language in q.languages else q.default_language
        methodology = Methodology(
            questionnaire=q.id, version=q.version, content_hash=q.content_hash,
            min_ranked=report.figures.min_ranked, satisfied_from=q.scale.satisfied_from,
            scale=tuple(Level(level.value, q.text(level.label, language)) for level in q.scale.levels),
            timezone=str(tz))
        return cls(report, language, Labels.of(q, language), methodology)

    @property
    def figures(self) -> ScopeFigures:
        return self.report.figures

    @property
    def comments(self) -> CommentPage:
        return self.report.comments

    @property
    def scope(self) -> UnitFigures | None:
        """The unit the report is about (with the units below it); None: every unit."""
        return self.figures.top

    @property
    def weighted_shown(self) -> bool:
        """Whether the volumes of transactions cover the period anywhere in the report."""
        return self.figures.overall.weighted is not None or any(u.weighted is not None for u in self.figures.units)

    def parent_name(self, unit: UnitFigures) -> str | None:
        parent = next((u for u in self.figures.units if u.unit == unit.parent), None)
        return parent.name if parent else None

    def weakest(self, figures: Figures) -> tuple[CriterionFigures, ...]:
        """The criteria to improve first: the lowest indices, ties in questionnaire order."""
        return figures.weakest(WEAKEST_CRITERIA)

    def expectations(self, figures: Figures) -> tuple[Expectation, ...]:
        """The options of the questionnaire, most chosen first (its order breaks ties)."""
        order = list(self.labels.expectations)
        shares = [(code, share) for code, share in figures.expectations.items() if code in self.labels.expectations]
        shares.sort(key=lambda item: (item[1] is None, -(item[1] or 0.0), order.index(item[0])))
        return tuple(Expectation(code, self.labels.expectations[code], share) for code, share in shares)
