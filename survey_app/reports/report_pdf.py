"""The satisfaction report as an A4 PDF: cover and summary, criteria to improve, ranking, a
section per unit, masked comments and the methodology, from a reports.report_document.ReportDocument.

Each section is a template in templates/pdf/report/ and a function giving it its own data
(``SECTIONS``, in page order; a function returning None leaves its section out). The templates
read the engine's typed figures by attribute and format them through ``fig``. Comments are
text: Jinja escapes them, so ``<img src="file:///etc/passwd">`` in a comment is printed, never
fetched (and the fetcher of reports/pdf.py would refuse it anyway).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from survey_app.reports.case_figures import cases_section
from survey_app.reports.charts import element_bars_svg
from survey_app.reports.formatting import REPORT_LANGUAGES, Figures
from survey_app.reports.pdf import html_to_pdf
from survey_app.reports.report_document import ReportDocument, flagged_share, received
from survey_app.services.figures import UnitFigures


def render_report_pdf(document: ReportDocument, *, lang: str, generated_on: date | None = None) -> bytes:
    """PDF bytes; raises reports.pdf.PdfError when WeasyPrint is refused a resource."""
    return html_to_pdf(report_html(document, lang=lang, generated_on=generated_on))


def report_html(document: ReportDocument, *, lang: str, generated_on: date | None = None) -> str:
    """The HTML WeasyPrint lays out (apart for the benchmark, which times WeasyPrint alone)."""
    if lang not in REPORT_LANGUAGES:
        raise ValueError(f"report language must be one of {', '.join(REPORT_LANGUAGES)}, not {lang!r}")
    if generated_on is None:
        generated_on = datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
    with force_locale(lang):
        return render_template("pdf/report.html", **report_context(document, lang, generated_on))


@dataclass(frozen=True)
class RankingGroup:
    parent: UnitFigures
    rows: tuple[UnitFigures, ...]


def _cover(doc: ReportDocument, fig: Figures) -> dict[str, Any]:
    overall = doc.figures.overall
    items = [{"label": doc.labels.elements[e.code], "index": e.index.value, "ci": e.index.ci}
             for e in overall.elements.values()]
    chart = element_bars_svg(items, title=_("SIPAS index of each element, with its interval"),
                             number_format=fig.index, id_prefix="elements")
    return {"element_chart": Markup(chart)}


def _ranking(doc: ReportDocument, fig: Figures) -> dict[str, Any] | None:
    """Siblings together (in tree order of their parents), best rank first, unranked last."""
    units = doc.figures.units
    codes = {u.unit for u in units}
    children: dict[str, list[UnitFigures]] = defaultdict(list)
    for unit in units:
        if unit.parent in codes:
            children[unit.parent].append(unit)
    groups = [RankingGroup(parent, tuple(sorted(children[parent.unit],
                                                key=lambda u: (u.rank is None, u.rank or 0, u.unit))))
              for parent in units if children.get(parent.unit)]
    return {"groups": groups} if groups else None


def _plain(doc: ReportDocument, fig: Figures) -> dict[str, Any]:
    return {}


def _units(doc: ReportDocument, fig: Figures) -> dict[str, Any]:
    from survey_app.reports.channel_names import channel_name

    return {"received": received, "flagged_share": flagged_share, "channel_name": channel_name}


def _early_warning(doc: ReportDocument, fig: Figures) -> dict[str, Any] | None:
    if doc.early_warning is None:
        return None
    from survey_app.reports.alert_wording import sentence  # matplotlib's import only for a report

    alerts = doc.early_warning
    return {"alerts": alerts, "last_day": alerts.last + timedelta(days=6),
            "entries": [(a, sentence(a, fig.lang)) for a in alerts.signalling]}


Section = Callable[[ReportDocument, Figures], "dict[str, Any] | None"]
SECTIONS: tuple[tuple[str, Section], ...] = (
    ("pdf/report/cover.html", _cover),
    ("pdf/report/priorities.html", _plain),
    ("pdf/report/ranking.html", _ranking),
    ("pdf/report/units.html", _units),
    ("pdf/report/early_warning.html", _early_warning),
    ("pdf/report/cases.html", cases_section),
    ("pdf/report/signatures.html", _plain),
    ("pdf/report/comments.html", _plain),
    ("pdf/report/methodology.html", _plain),
)


def report_context(document: ReportDocument, lang: str, generated_on: date) -> dict[str, Any]:
    fig = Figures(lang)
    scope = document.scope
    roots = [u for u in document.figures.units if u.parent is None]
    sections = [(template, data) for template, data in ((t, make(document, fig)) for t, make in SECTIONS)
                if data is not None]
    return {
        "fig": fig,
        "lang": lang,
        "doc": document,
        "issuer": scope.name if scope else (roots[0].name if len(roots) == 1 else _("All units")),
        "generated_on": generated_on,
        "sections": sections,
    }
