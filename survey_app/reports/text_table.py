"""The ``scores`` command's readable table (its JSON is the contract; this is for people)."""

from __future__ import annotations

from survey_app.domain.questionnaire import Questionnaire
from survey_app.services.figures import Figures, ScopeFigures


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:5.1f}"


def _ci(ci: tuple[float, float] | None) -> str:
    return "" if ci is None else f"{ci[0]:.1f}–{ci[1]:.1f}"


def _change(change: int | None) -> str:
    if change is None:
        return ""
    return f"+{change}" if change > 0 else str(change)


def _index_change(figures: Figures) -> str:
    """The index's change in points; a star only when it is significant at 5% (domain.change)."""
    change = figures.change if figures.previous is not None else None
    if change is None:
        return ""
    return f"{change.value:+.1f}" + ("*" if change.significant else "")


SIGNIFICANT_NOTE = ("* change against the previous period significant at 5% "
                    "(its 95% interval leaves out 0); unmarked changes may be chance")


def render_table(figures: ScopeFigures, questionnaire: Questionnaire) -> str:
    elements = [e.code for e in questionnaire.elements]
    header = ["unit", "name", "n", "index", "95% CI", "Δ index", *elements, "rank", "change"]
    rows = []
    for unit in figures.units:
        rows.append([
            unit.unit, "  " * unit.depth + unit.name, str(unit.n), _pct(unit.index.value),
            _ci(unit.index.ci), _index_change(unit),
            *(_pct(unit.elements[code].index.value) for code in elements),
            "" if unit.rank is None else str(unit.rank), _change(unit.rank_change),
        ])
    overall = figures.overall
    rows.append(["", "overall", str(overall.n), _pct(overall.index.value), _ci(overall.index.ci),
                 _index_change(overall), *(_pct(overall.elements[code].index.value) for code in elements), "", ""])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [f"{questionnaire.id} {figures.period.start.isoformat()} – {figures.period.end.isoformat()}"]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    if any(row[5].endswith("*") for row in rows):
        lines.append(SIGNIFICANT_NOTE)
    return "\n".join(lines)
