"""The ``scores`` command's readable table (its JSON is the contract; this is for people)."""

from __future__ import annotations

from typing import Any

from survey_app.domain.questionnaire import Questionnaire


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:5.1f}"


def _ci(ci: list[float] | None) -> str:
    return "" if ci is None else f"{ci[0]:.1f}–{ci[1]:.1f}"


def _change(change: int | None) -> str:
    if change is None:
        return ""
    return f"+{change}" if change > 0 else str(change)


def render_table(document: dict[str, Any], questionnaire: Questionnaire) -> str:
    elements = [e.code for e in questionnaire.elements]
    header = ["unit", "name", "n", "index", "95% CI", *elements, "rank", "change"]
    rows = []
    depth: dict[str | None, int] = {None: -1}
    for unit in document["units"]:
        depth[unit["unit"]] = depth.get(unit["parent"], -1) + 1
        rows.append([
            unit["unit"], "  " * depth[unit["unit"]] + unit["name"], str(unit["n"]), _pct(unit["index"]),
            _ci(unit["ci"]), *(_pct(unit["elements"][code]["index"]) for code in elements),
            "" if unit["rank"] is None else str(unit["rank"]), _change(unit["rank_change"]),
        ])
    overall = document["overall"]
    rows.append(["", "overall", str(overall["n"]), _pct(overall["index"]), _ci(overall["ci"]),
                 *(_pct(overall["elements"][code]["index"]) for code in elements), "", ""])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [f"{questionnaire.id} {document['from']} – {document['to']}"]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return "\n".join(lines)
