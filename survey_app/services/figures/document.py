"""The scores JSON contract (README, "Scores JSON"), written from the typed figures in one place."""

from __future__ import annotations

from typing import Any

from survey_app.domain.change import Change
from survey_app.services.figures.types import Breakdown, Figures, ScopeFigures, UnitFigures, Weighted


def _interval(ci: tuple[float, float] | None) -> list[float] | None:
    return list(ci) if ci is not None else None


def _change(change: Change | None, compared: bool) -> dict | None:
    return change.as_dict() if compared and change is not None else None


def _breakdown(breakdown: Breakdown) -> dict[str, dict[str, Any]]:
    return {cell.answer: ({"n": cell.n, "suppressed": True} if cell.index is None else
                          {"n": cell.n, "index": cell.index.value, "ci": _interval(cell.index.ci)})
            for cell in breakdown.cells}


def _weighted(weighted: Weighted | None) -> dict:
    if weighted is None:  # absent rather than null: volumes do not cover the period
        return {}
    return {"weighted": {"index": weighted.index.value, "ci": _interval(weighted.index.ci), "deff": weighted.deff}}


def figures_entry(figures: Figures) -> dict[str, Any]:
    """n, index, interval, change, elements, criteria and expectations of one scope."""
    compared = figures.previous is not None
    entry = {
        "n": figures.n,
        "index": figures.index.value,
        "ci": _interval(figures.index.ci),
        "change": _change(figures.change, compared),
        "elements": {code: {"index": e.index.value, "ci": _interval(e.index.ci), "alpha": e.alpha,
                            "change": _change(e.change, compared)}
                     for code, e in figures.elements.items()},
        "criteria": {code: {"n": c.index.n, "satisfied": c.satisfied, "index": c.index.value,
                            "ci": _interval(c.index.ci)}
                     for code, c in figures.criteria.items()},
        "expectations": dict(figures.expectations),
    }
    if figures.by:
        entry["by"] = {question: _breakdown(b) for question, b in figures.by.items()}
    return entry


def _unit_entry(unit: UnitFigures) -> dict[str, Any]:
    figures = figures_entry(unit)
    by = figures.pop("by", None)
    return {
        "unit": unit.unit,
        "name": unit.name,
        "parent": unit.parent,
        **figures,
        **({"by": by} if by is not None else {}),
        "rank": unit.rank,
        "previous_rank": unit.previous_rank,
        "rank_change": unit.rank_change,
        "invitations": unit.invitations,
        "response_rate": unit.response_rate,
        **_weighted(unit.weighted),
        "flagged": unit.flagged,
    }


def scores_document(figures: ScopeFigures) -> dict[str, Any]:
    """``{"questionnaire", "from", "to", "overall", "units"}``: what ``scores --format json`` prints."""
    return {
        "questionnaire": figures.questionnaire,
        "from": figures.period.start.isoformat(),
        "to": figures.period.end.isoformat(),
        "overall": {**figures_entry(figures.overall), "flagged": figures.overall.flagged,
                    **_weighted(figures.overall.weighted)},
        "units": [_unit_entry(unit) for unit in figures.units],
    }
