"""The satisfaction report as an A4 PDF: cover and summary, ranking, a section per unit,
masked comments and the methodology, from a ``services.report_data.report_document``.

The template gets plain data and formatting functions only. Comments are text: Jinja escapes
them, so ``<img src="file:///etc/passwd">`` in a comment is printed, never fetched (and the
fetcher of reports/pdf.py would refuse it anyway).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from survey_app.reports.charts import element_bars_svg
from survey_app.reports.formatting import REPORT_LANGUAGES, Figures
from survey_app.reports.pdf import html_to_pdf


def render_report_pdf(document: dict, *, lang: str, generated_on: date | None = None) -> bytes:
    """PDF bytes; raises reports.pdf.PdfError when WeasyPrint is refused a resource."""
    return html_to_pdf(report_html(document, lang=lang, generated_on=generated_on))


def report_html(document: dict, *, lang: str, generated_on: date | None = None) -> str:
    """The HTML WeasyPrint lays out (apart for the benchmark, which times WeasyPrint alone)."""
    if lang not in REPORT_LANGUAGES:
        raise ValueError(f"report language must be one of {', '.join(REPORT_LANGUAGES)}, not {lang!r}")
    if generated_on is None:
        generated_on = datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
    with force_locale(lang):
        return render_template("pdf/report.html", **report_context(document, lang, generated_on))


def report_context(document: dict, lang: str, generated_on: date) -> dict:
    fig = Figures(lang)
    scores = document["scores"]
    labels = document["labels"]
    by_code = {unit["unit"]: unit for unit in scores["units"]}
    units = [_unit_view(unit, document, by_code) for unit in scores["units"]]
    overall = scores["overall"]
    elements = [{"code": code, "label": labels["elements"][code], **figures,
                 "change": document["overall"]["element_changes"].get(code)}
                for code, figures in overall["elements"].items()]
    chart = element_bars_svg(elements, title=_("SIPAS index of each element, with its interval"),
                             number_format=fig.index, id_prefix="elements")
    scope = document["scope"]
    roots = [u for u in units if u["parent"] is None or (scope and u["unit"] == scope["unit"])]
    return {
        "fig": fig,
        "lang": lang,
        "doc": document,
        "issuer": scope["name"] if scope else (roots[0]["name"] if len(roots) == 1 else _("All units")),
        "scope": scope,
        "generated_on": generated_on,
        "overall": overall,
        "overall_extra": document["overall"],
        "elements": elements,
        "element_chart": Markup(chart),
        "ranking": _ranking_groups(units, by_code),
        "units": units,
        "min_ranked": document["methodology"]["min_ranked"],
        "alert_sentence": _alert_sentence,
    }


def _alert_sentence(*args):
    from survey_app.reports.alert_wording import signal_sentence  # matplotlib only when there is one

    return signal_sentence(*args)


def _unit_view(unit: dict, document: dict, by_code: dict) -> dict:
    extra = document["units"][unit["unit"]]
    labels = document["labels"]
    parent = by_code.get(unit["parent"])
    return {
        **unit,
        **extra,
        "parent_name": parent["name"] if parent else None,
        "element_rows": [{"code": code, "label": labels["elements"][code], **figures}
                         for code, figures in unit["elements"].items()],
        "top_expectations": [e for e in extra["expectations"] if e["share"]][:3],
        "enough": unit["n"] >= document["methodology"]["min_ranked"],
    }


def _ranking_groups(units: list[dict], by_code: dict) -> list[dict]:
    """Siblings together (in tree order of their parents), best rank first, unranked last."""
    children: dict[str, list[dict]] = defaultdict(list)
    for unit in units:
        if unit["parent"] in by_code:
            children[unit["parent"]].append(unit)
    groups = []
    for parent in units:
        rows = children.get(parent["unit"])
        if rows:
            rows = sorted(rows, key=lambda u: (u["rank"] is None, u["rank"] or 0, u["unit"]))
            groups.append({"parent": parent, "rows": rows})
    return groups
