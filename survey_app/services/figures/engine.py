"""The entry points every consumer calls (step 1: over services.scores' computation)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from survey_app.domain.change import Change
from survey_app.domain.periods import period_of
from survey_app.domain.scoring import Scores
from survey_app.services.figures.types import (
    Breakdown,
    BreakdownCell,
    CriterionFigures,
    ElementFigures,
    Figures,
    FiguresQuery,
    Index,
    Report,
    ScopeFigures,
    Trend,
    TrendPoint,
    UnitFigures,
    Weighted,
)

TREND_QUARTERS = 8


def _ci(ci) -> tuple[float, float] | None:
    return (float(ci[0]), float(ci[1])) if ci is not None else None


def _change(found: dict | None) -> Change | None:
    return Change(found["value"], _ci(found["ci"]), found["significant"]) if found else None


def _breakdown(question: str, cells: dict[str, dict]) -> Breakdown:
    return Breakdown(question, tuple(
        BreakdownCell(answer, cell["n"], None if cell.get("suppressed") else Index(cell["index"], _ci(cell["ci"]), cell["n"]))
        for answer, cell in cells.items()))


def _figures_fields(entry: dict[str, Any], previous: Scores | None) -> dict[str, Any]:
    weighted = entry.get("weighted")
    return {
        "index": Index(entry["index"], _ci(entry["ci"]), entry["n"]),
        "elements": {code: ElementFigures(code, Index(e["index"], _ci(e["ci"]), 0), e["alpha"], _change(e["change"]))
                     for code, e in entry["elements"].items()},
        "criteria": {code: CriterionFigures(code, Index(c["index"], _ci(c["ci"]), c["n"]), c["satisfied"])
                     for code, c in entry["criteria"].items()},
        "expectations": dict(entry["expectations"]),
        "change": _change(entry["change"]),
        "previous": Index(previous.index, _ci(previous.ci), previous.n) if previous is not None else None,
        "weighted": Weighted(Index(weighted["index"], _ci(weighted["ci"]), entry["n"]), weighted["deff"])
        if weighted else None,
        "flagged": entry.get("flagged", 0),
        "by": {question: _breakdown(question, cells) for question, cells in entry.get("by", {}).items()},
    }


def _score_query(query: FiguresQuery) -> FiguresQuery:
    return query


def scope_figures(session: Session, query: FiguresQuery) -> ScopeFigures:
    """The figures of the query's scope and period: overall, and every unit of the scope with its
    rank, change against the previous period, response rate and weighted index. Raises UnknownUnit."""
    from survey_app.domain.submission import CHANNELS
    from survey_app.services.scores import period_figures
    found = period_figures(session, _score_query(query))
    document = found.document
    depth: dict[str | None, int] = {}
    units = []
    for entry in document["units"]:
        depth[entry["unit"]] = depth[entry["parent"]] + 1 if entry["parent"] in depth else 0
        units.append(UnitFigures(
            unit=entry["unit"], name=entry["name"], parent=entry["parent"], depth=depth[entry["unit"]],
            rank=entry["rank"], previous_rank=entry["previous_rank"], invitations=entry["invitations"],
            response_rate=entry["response_rate"], **_figures_fields(entry, found.previous[entry["unit"]])))
    return ScopeFigures(
        questionnaire=document["questionnaire"], period=query.period, previous_period=query.period.previous(),
        scope=query.unit_code, min_ranked=query.min_ranked,
        ranking_channels=tuple(query.ranking_channels or CHANNELS),
        overall=Figures(**_figures_fields(document["overall"], found.previous_overall)), units=tuple(units))


def breakdowns(session: Session, query: FiguresQuery, unit_code: str | None,
               questions: tuple[str, ...]) -> dict[str, Breakdown]:
    """The SIPAS index of the unit's subtree (every unit for None) by each of ``questions``
    ("channel", profile question codes) in the query's period; cells under
    ``query.min_breakdown`` respondents suppressed."""
    from dataclasses import replace
    found = scope_figures(session, replace(query, unit_code=unit_code, by=tuple(questions)))
    target = found.overall
    return dict(target.by)


def trend(session: Session, query: FiguresQuery, unit_code: str, quarters: int = TREND_QUARTERS) -> Trend:
    """The unit's (with every unit below it) SIPAS and element indices in each of the last
    ``quarters`` calendar quarters, the last being the one the query's period ends in."""
    from survey_app.services.report_data import quarterly_trend
    points = quarterly_trend(session, _score_query(query), unit_code, period_of("quarter", query.period.end), quarters)
    from datetime import date
    from survey_app.domain.periods import Period
    return Trend(unit_code, tuple(
        TrendPoint(Period(date.fromisoformat(p["from"]), date.fromisoformat(p["to"])),
                   Index(p["index"], _ci(p["ci"]), p["n"]), dict(p["elements"])) for p in points))


def report(session: Session, query: FiguresQuery, *, comments_limit: int | None = None) -> Report:
    """The figures of the query's scope and the newest ``comments_limit`` comments (None: all;
    0: their count only): what every report document shows."""
    from survey_app.services.figures.comments import comments
    return Report(scope_figures(session, query), comments(session, query, query.unit_code, per_page=comments_limit))
