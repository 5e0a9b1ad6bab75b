"""SVG charts drawn on the server with matplotlib, the same code for pages and PDFs.

The SVG is made to be pasted inline into an HTML page or a WeasyPrint document:
- text stays text (``svg.fonttype`` "none") in DejaVu Sans, the font of the pages and of the
  PDF (fonts-dejavu-core, which matplotlib also measures with, so labels fit): a screen reader
  reads the labels, pdftotext and a browser's search find them, and a page weighs a third of
  what glyph outlines made it; no font is fetched (the page and WeasyPrint have it already);
- no XML declaration, no DOCTYPE (an external DTD) and no metadata (no dates): the same
  figures give the same bytes;
- no ``style`` attributes or ``<style>`` element, only SVG presentation attributes, so a page
  under a strict Content-Security-Policy (no inline styles) draws it unchanged;
- ids carry a per-chart prefix, so several charts on one page never share an id;
- a ``<title>`` (and ``role="img"`` with ``aria-labelledby``) names the chart for screen readers.

pyplot is never used (its global figure manager is not thread-safe); drawing is serialised by
a lock because the glyph cache of matplotlib's text-to-path is shared and mutable.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
import threading
from collections.abc import Callable, Sequence
from html import escape

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

__all__ = ["criteria_bars_svg", "element_bars_svg", "trend_svg"]

NumberFormat = Callable[[float], str]

# Read by the SVG backend at save time; set once here, never per call (no race between threads).
matplotlib.rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "survey_app",
    "font.family": "DejaVu Sans",
    "font.size": 9,
})

INK = "#1b1f24"
MUTED = "#5b6570"
GRID = "#d0d7de"
BAR = "#2f6fb5"
WHISKER = "#16365a"
LINE_COLOURS = ("#b3541e", "#2e8540", "#7a4fa3", "#c59100", "#00838f", "#8d6e63", "#d81b60")
# On the root, inherited by every label (the pages' CSS and the PDF's name the same family).
FONT_FAMILY = "DejaVu Sans, sans-serif"
_LOCK = threading.Lock()


def _default_format(value: float) -> str:
    return f"{value:.1f}"


def element_bars_svg(items: Sequence[dict], *, title: str | None = None,
                     number_format: NumberFormat | None = None, label_width: int = 28,
                     id_prefix: str | None = None) -> str:
    """Horizontal bars 0-100, one per item ({"label", "index", "ci"}), with interval whiskers."""
    return _bars(items, title=title, number_format=number_format or _default_format,
                 label_width=label_width, row_height=0.42, id_prefix=id_prefix)


def criteria_bars_svg(items: Sequence[dict], *, title: str | None = None,
                      number_format: NumberFormat | None = None, label_width: int = 48,
                      id_prefix: str | None = None) -> str:
    """The same bars for many rows (criteria): longer labels wrapped, thinner rows."""
    return _bars(items, title=title, number_format=number_format or _default_format,
                 label_width=label_width, row_height=0.36, id_prefix=id_prefix)


def _bars(items: Sequence[dict], *, title: str | None, number_format: NumberFormat, label_width: int,
          row_height: float, id_prefix: str | None) -> str:
    labels = ["\n".join(textwrap.wrap(item["label"], label_width)[:2]) or "—" for item in items]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    rows = max(len(items), 1)
    height = 0.55 + rows * row_height * (1 + 0.45 * (lines - 1))
    figure = Figure(figsize=(7.0, height), dpi=72)
    left = min(0.5, 0.09 + 0.0062 * label_width)
    figure.subplots_adjust(left=left, right=0.93, top=1 - 0.12 / height, bottom=0.42 / height)
    axes = figure.add_subplot()
    positions = list(range(len(items)))
    values = [item["index"] if item["index"] is not None else 0.0 for item in items]
    axes.barh(positions, values, height=0.62, color=BAR, zorder=2)
    for y, item in zip(positions, items):
        if item.get("ci"):
            low, high = item["ci"]
            axes.errorbar([item["index"]], [y], xerr=[[item["index"] - low], [high - item["index"]]],
                          fmt="none", ecolor=WHISKER, elinewidth=1.1, capsize=3, zorder=3)
        text = number_format(item["index"]) if item["index"] is not None else "—"
        edge = max(item["ci"][1] if item.get("ci") else 0.0, item["index"] or 0.0)
        axes.text(edge + 1.5, y, text, va="center", ha="left", color=INK, fontsize=8.5, zorder=4)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 113)  # room after 100 for the figure written beside the bar
    axes.set_xticks(range(0, 101, 20))
    axes.tick_params(axis="y", length=0, labelsize=8.5, labelcolor=INK)
    axes.tick_params(axis="x", labelsize=8, labelcolor=MUTED, color=GRID)
    axes.xaxis.set_major_formatter(lambda x, _pos: number_format(x).split(",")[0].split(".")[0])
    _frame(axes)
    description = "; ".join(f"{item['label']}: {_figure(item['index'], item.get('ci'), number_format)}"
                            for item in items)
    return _svg(figure, title or "", description, id_prefix)


def trend_svg(points: Sequence[dict], element_labels: dict[str, str], *, title: str | None = None,
              number_format: NumberFormat | None = None, sipas_label: str = "SIPAS",
              id_prefix: str | None = None) -> str:
    """The SIPAS index (thick) and each element (thin) over the quarters of ``points``."""
    number_format = number_format or _default_format
    figure = Figure(figsize=(7.0, 3.3), dpi=72)
    figure.subplots_adjust(left=0.07, right=0.70, top=0.95, bottom=0.12)
    axes = figure.add_subplot()
    x = list(range(len(points)))

    def series(values):
        return [float("nan") if v is None else v for v in values]

    for colour, (code, label) in zip(LINE_COLOURS * 3, element_labels.items()):
        axes.plot(x, series(p["elements"].get(code) for p in points), color=colour, linewidth=1.2,
                  marker="o", markersize=3, label=label, zorder=2)
    sipas = series(p["index"] for p in points)
    axes.plot(x, sipas, color=INK, linewidth=2.6, marker="o", markersize=5, label=sipas_label, zorder=3)
    for xi, value in zip(x, sipas):
        if value == value:  # not NaN
            axes.annotate(number_format(value), (xi, value), textcoords="offset points", xytext=(0, 8),
                          ha="center", fontsize=7.5, color=INK, zorder=4,
                          bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85))
    axes.set_xticks(x, [p["label"] for p in points])
    axes.set_xlim(-0.4, len(points) - 0.6)
    axes.set_ylim(0, 105)
    axes.set_yticks(range(0, 101, 20))
    axes.yaxis.set_major_formatter(lambda y, _pos: number_format(y).split(",")[0].split(".")[0])
    axes.tick_params(labelsize=8, labelcolor=MUTED, color=GRID)
    axes.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(GRID)
    legend_labels = {sipas_label: sipas_label} | element_labels
    handles, names = axes.get_legend_handles_labels()
    order = [names.index(name) for name in legend_labels.values() if name in names]
    axes.legend([handles[i] for i in order],
                ["\n".join(textwrap.wrap(names[i], 26)) for i in order],
                loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False, fontsize=8)
    description = "; ".join(f"{p['label']}: {sipas_label} {_figure(p['index'], None, number_format)}"
                            for p in points)
    return _svg(figure, title or "", description, id_prefix)


def _figure(index: float | None, ci, number_format: NumberFormat) -> str:
    if index is None:
        return "—"
    if not ci:
        return number_format(index)
    return f"{number_format(index)} ({number_format(ci[0])}–{number_format(ci[1])})"


def _frame(axes) -> None:
    axes.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(GRID)
    axes.spines["bottom"].set_bounds(0, 100)


_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')
_GROUP = re.compile(r"<(/?)g\b([^>]*)>")
_LONG_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_GEOMETRY = re.compile(r'\s(d|x|y|x1|x2|y1|y2|cx|cy|r|width|height|viewBox|transform|points|stroke-dasharray)="([^"]*)"')


def _presentation(match: re.Match) -> str:
    """style="fill: #fff; stroke-width: 0.8" -> fill="#fff" stroke-width="0.8"."""
    declarations = [part.split(":", 1) for part in match.group(1).split(";") if ":" in part]
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in declarations)


def _rounded(match: re.Match) -> str:
    text = f"{float(match.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _geometry(match: re.Match) -> str:
    """A coordinate attribute on one line, to a hundredth of a point (1/7200 of an inch)."""
    return f' {match.group(1)}="{_LONG_NUMBER.sub(_rounded, " ".join(match.group(2).split()))}"'


def _lighter(svg: str) -> str:
    """The same drawing in fewer bytes (a unit page carries four charts, issue 17 wants it under
    120 KB): matplotlib names every group (``id="matplotlib.axis_1"``, ``xtick_3``...), wraps
    each in a ``<g>``, indents, and writes coordinates to a millionth of a point. Ids nothing
    refers to go, so do the bare groups they leave and the indentation; coordinates keep two
    decimals, far below what a screen or a printer shows."""
    referenced = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))
    svg = re.sub(r' id="([^"]+)"', lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    kept: list[str] = []
    bare: list[bool] = []   # for each open <g>: dropped with its closing tag
    last = 0
    for tag in _GROUP.finditer(svg):
        kept.append(svg[last:tag.start()])
        last = tag.end()
        if tag.group(1):
            if not bare.pop():
                kept.append(tag.group(0))
        elif tag.group(2).strip() == "":
            bare.append(True)
        else:
            if not tag.group(2).rstrip().endswith("/"):
                bare.append(False)
            kept.append(tag.group(0))
    kept.append(svg[last:])
    svg = _GEOMETRY.sub(_geometry, "".join(kept))
    return re.sub(r">\s+<", "><", svg)


def _svg(figure: Figure, title: str, description: str, id_prefix: str | None) -> str:
    buffer = io.StringIO()
    with _LOCK:
        FigureCanvasSVG(figure)
        # bbox_inches="tight": the saved area grows to hold every label, however long (the
        # margins set above are only a first guess for the bars' proportions).
        figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.06,
                       metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"\s*<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", svg, count=1, flags=re.S)
    svg = _STYLE_ATTRIBUTE.sub(_presentation, svg)
    svg = re.sub(r' font-family="[^"]*"', "", svg)  # one family, set on the root below
    svg = re.sub(r' transform="rotate\(-?0 [-\d.]+ [-\d.]+\)"', "", svg)  # unrotated labels
    svg = _lighter(svg)
    prefix = id_prefix or "c" + hashlib.sha1(f"{title}\n{description}\n{svg}".encode()).hexdigest()[:10]
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}-{m.group(1)})" if m.group(1) in ids else m.group(0), svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"' if m.group(1) in ids else m.group(0), svg)
    # What the removed <style> said, as inherited attributes on the root.
    title_id = f"{prefix}-title"
    svg = re.sub(r"<svg ", f'<svg role="img" aria-labelledby="{title_id}" aria-describedby="{prefix}-desc" '
                           f'font-family="{FONT_FAMILY}" stroke-linejoin="round" stroke-linecap="butt" ', svg, count=1)
    head_end = svg.index(">") + 1
    # The figures as text: what a screen reader says, and what a text search finds.
    return (f'{svg[:head_end]}<title id="{title_id}">{escape(title)}</title>'
            f'<desc id="{prefix}-desc">{escape(description)}</desc>{svg[head_end:]}')
