"""The engine's figures (services.figures) turned into what the officers' templates print: every
figure formatted once, here, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from survey_app.domain.bands import BANDS, NO_DATA, band
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.rank_change import rank_change
from survey_app.domain.units_table import TableOrder, sibling_groups, sort_rows
from survey_app.services.figures import Change, Figures, ScopeFigures, UnitFigures, Weighted
from survey_app.web.officers import wording


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""


def element_heads(questionnaire: Questionnaire) -> list[dict[str, str]]:
    lang = wording.language()
    return [{"code": e.code, "title": questionnaire.text(e.title, lang)} for e in questionnaire.elements]


def unit_row(unit: UnitFigures, questionnaire: Questionnaire, min_ranked: int) -> dict[str, Any]:
    """One line of the units table (and the unit page's summary), every figure formatted."""
    too_few = unit.parent is not None and unit.n < min_ranked
    moved = rank_change(unit.rank, unit.previous_rank)
    return {
        "code": unit.unit,
        "name": unit.name,
        "index": wording.index(unit.index.value),
        "ci": wording.interval(unit.index.ci),
        "n": wording.count(unit.n),
        "response_rate": wording.rate(unit.response_rate),
        "too_few": too_few,
        "rank": str(unit.rank) if unit.rank is not None else "",
        "rank_change": wording.rank_change(moved),
        "rank_direction": moved.direction,
        "change": index_change(unit.change),
        "weighted": weighted(unit.weighted),
        "elements": [
            Cell(wording.index(unit.elements[e.code].index.value), "band-" + band(unit.elements[e.code].index.value))
            for e in questionnaire.elements
        ],
    }


def units_table(figures: ScopeFigures, questionnaire: Questionnaire, order: TableOrder,
                min_ranked: int) -> list[dict[str, Any]]:
    """Groups of sibling units, each sorted as asked: [{"heading", "rows"}]."""
    names = {unit.unit: unit.name for unit in figures.units}
    # What domain.units_table sorts and groups by, beside each unit's figures.
    sortable = [{"unit": u.unit, "parent": u.parent, "name": u.name, "index": u.index.value, "n": u.n,
                 "rank": u.rank, "figures": u} for u in figures.units]
    return [
        {"heading": _("Units under %(name)s", name=names[group.parent]) if group.parent else None,
         "rows": [unit_row(row["figures"], questionnaire, min_ranked) for row in sort_rows(group.rows, order)]}
        for group in sibling_groups(sortable)
    ]


def overall(figures: Figures) -> dict[str, Any]:
    return {"index": wording.index(figures.index.value), "ci": wording.interval(figures.index.ci),
            "n": wording.count(figures.n), "weighted": weighted(figures.weighted)}


def weighted(found: Weighted | None) -> dict[str, str] | None:
    """The weighted index as printed (None where volumes do not cover the period)."""
    if found is None:
        return None
    return {"index": wording.index(found.index.value), "ci": wording.interval(found.index.ci),
            "deff": wording.coefficient(found.deff)}


def band_legend() -> list[tuple[str, str]]:
    """(band name, what it means), as the grid's legend prints them."""
    legend = []
    for i, (low, name) in enumerate(BANDS):
        high = BANDS[i - 1][0] if i else None
        if high is None:
            text = _("%(low)s and above", low=wording.count(int(low)))
        elif low > 0:
            text = _("%(low)s to under %(high)s", low=wording.count(int(low)), high=wording.count(int(high)))
        else:
            text = _("under %(high)s", high=wording.count(int(high)))
        legend.append((name, text))
    return [*legend, (NO_DATA, _("no valid answer"))]


def index_change(change: Change | None) -> dict[str, Any] | None:
    """The change of an index since the previous period (value in points, its interval, whether
    it is more than chance); None when a period has no index."""
    if change is None:
        return None
    return {"value": wording.points(change.value), "significant": change.significant,
            "ci": f"{wording.points(change.ci[0])} … {wording.points(change.ci[1])}" if change.ci else None,
            "direction": "up" if change.value > 0 else ("down" if change.value < 0 else "same")}
