"""The early warning's control chart as SVG, drawn like the other charts (reports/charts.py).

Two panels over the same weeks: above, each week's SIPAS index (hollow when the week had too
few respondents to count) and the unit's usual level (the baseline); below, the EWMA with its
limits, its points marked where the unit signals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from survey_app.reports.charts import BAR, GRID, INK, MUTED, NumberFormat, _default_format, _svg

DOWN_COLOUR, UP_COLOUR = "#b3261e", "#2e7d32"


@dataclass(frozen=True)
class ChartLabels:
    """The chart's words, in the reader's language (the caller translates them)."""

    title: str
    index: str       # "Weekly SIPAS index"
    baseline: str    # "Usual level"
    ewma: str        # "EWMA"
    limit: str       # "Limits"
    week: Callable[[object], str]  # a Monday -> its label on the axis


def control_chart_svg(points: Sequence, baseline: float | None, limit: float, labels: ChartLabels, *,
                      number_format: NumberFormat | None = None, id_prefix: str | None = None) -> str:
    """``points`` are domain.early_warning.ChartPoint, oldest first."""
    number_format = number_format or _default_format
    figure = Figure(figsize=(7.0, 3.8), dpi=72)
    figure.subplots_adjust(left=0.08, right=0.78, top=0.96, bottom=0.1, hspace=0.12)
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    x = list(range(len(points)))
    counted = [(i, p.week.index) for i, p in zip(x, points) if p.counted]
    small = [(i, p.week.index) for i, p in zip(x, points) if not p.counted and p.week.index is not None]
    if baseline is not None:
        top.axhline(baseline, color=MUTED, linewidth=1.2, linestyle="--", label=labels.baseline, zorder=1)
    if counted:
        top.plot(*zip(*counted), color=BAR, linewidth=1.0, marker="o", markersize=3.5, label=labels.index, zorder=3)
    if small:
        top.plot(*zip(*small), linestyle="none", marker="o", markersize=3.5, markerfacecolor="white",
                 markeredgecolor=BAR, zorder=2)
    top.set_ylim(0, 103)
    top.set_yticks(range(0, 101, 25))
    ewma = [(i, p.ewma) for i, p in zip(x, points) if p.ewma is not None]
    bottom.axhspan(-limit, limit, color="#eef2f6", zorder=0)
    for level in (-limit, limit):
        bottom.axhline(level, color=MUTED, linewidth=0.9, zorder=1)
    bottom.plot([], [], color=MUTED, linewidth=0.9, label=labels.limit)
    if ewma:
        bottom.plot(*zip(*ewma), color=INK, linewidth=1.6, label=labels.ewma, zorder=2)
        for side, colour in (("down", DOWN_COLOUR), ("up", UP_COLOUR)):
            marked = [(i, p.ewma) for i, p in zip(x, points) if p.signal == side and p.ewma is not None]
            if marked:
                bottom.plot(*zip(*marked), linestyle="none", marker="o", markersize=4.5, color=colour, zorder=3)
    reach = max([limit * 1.5, *(abs(v) * 1.1 for _, v in ewma)])
    bottom.set_ylim(-reach, reach)
    step = max(1, len(points) // 6)
    bottom.set_xticks(x[::step], [labels.week(p.week.start) for p in points][::step])
    bottom.set_xlim(-0.5, len(points) - 0.5)
    for axes in (top, bottom):
        axes.tick_params(labelsize=8, labelcolor=MUTED, color=GRID)
        axes.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            axes.spines[side].set_color(GRID)
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
    top.yaxis.set_major_formatter(lambda y, _pos: number_format(y).split(",")[0].split(".")[0])
    description = "; ".join(
        [f"{labels.baseline}: {number_format(baseline) if baseline is not None else '—'}",
         f"{labels.limit}: ±{limit:.2f}"]
        + [f"{labels.week(p.week.start)}: {number_format(p.week.index) if p.week.index is not None else '—'}"
           f" (n={p.week.n}), {labels.ewma} {'—' if p.ewma is None else f'{p.ewma:+.2f}'}" for p in points])
    return _svg(figure, labels.title, description, id_prefix)
