"""One unit's figures (a unit of the scores document, and report_data's trend, channel split and
comments) turned into what templates/officers/unit.html prints, and its charts."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from survey_app.domain.bands import band
from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import Questionnaire
from survey_app.reports.chart_memo import drawn
from survey_app.reports.charts import criteria_bars_svg, element_bars_svg, trend_svg
from survey_app.web.officers import wording


def elements(figures: dict[str, Any], q: Questionnaire) -> list[dict[str, Any]]:
    lang = wording.language()
    return [
        {"code": e.code, "title": q.text(e.title, lang), "value": figures["elements"][e.code]["index"],
         "ci_value": figures["elements"][e.code]["ci"],
         "index": wording.index(figures["elements"][e.code]["index"]),
         "ci": wording.interval(figures["elements"][e.code]["ci"]),
         "band": band(figures["elements"][e.code]["index"])}
        for e in q.elements
    ]


def criteria(figures: dict[str, Any], q: Questionnaire) -> list[dict[str, Any]]:
    """Per element, its criteria with n, satisfied, index and interval."""
    lang = wording.language()
    return [
        {"title": q.text(e.title, lang), "criteria": [
            {"code": c.code, "text": q.text(c.text, lang), "value": figures["criteria"][c.code]["index"],
             "ci_value": figures["criteria"][c.code]["ci"],
             "n": wording.count(figures["criteria"][c.code]["n"]),
             "satisfied": wording.count(figures["criteria"][c.code]["satisfied"]),
             "index": wording.index(figures["criteria"][c.code]["index"]),
             "ci": wording.interval(figures["criteria"][c.code]["ci"])}
            for c in e.criteria]}
        for e in q.elements
    ]


def expectations(figures: dict[str, Any], q: Questionnaire) -> list[dict[str, str]]:
    """The options, most chosen first (the questionnaire's order breaks ties)."""
    if q.expectations is None:
        return []
    lang = wording.language()
    options = list(q.expectations.options)
    ordered = sorted(options, key=lambda o: (figures["expectations"].get(o.code) is None,
                                             -(figures["expectations"].get(o.code) or 0.0), options.index(o)))
    return [{"code": o.code, "label": q.text(o.label, lang),
             "share": wording.share(figures["expectations"].get(o.code))} for o in ordered]


def channels(split: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return _cells(split, wording.channel)


def _cells(split: dict[str, dict[str, Any]], name) -> list[dict[str, Any]]:
    """A breakdown's cells as the table prints them; an empty cell is left out, a small one
    keeps its n and says it is too small (domain.breakdown)."""
    return [
        {"code": code, "name": name(code), "n": wording.count(cell["n"]),
         "suppressed": bool(cell.get("suppressed")),
         "index": wording.index(cell.get("index")), "ci": wording.interval(cell.get("ci"))}
        for code, cell in split.items() if cell["n"] or not cell.get("suppressed")
    ]


def profiles(splits: dict[str, dict[str, dict[str, Any]]], q: Questionnaire) -> list[dict[str, Any]]:
    """One table per profile question of the questionnaire, in its order, labelled in the reader's language."""
    lang = wording.language()
    tables = []
    for question in q.profile:
        labels = {o.code: q.text(o.label, lang) for o in question.options}
        tables.append({"code": question.code, "title": q.text(question.question, lang),
                       "cells": _cells(splits.get(question.code, {}), lambda code: labels.get(code, code))})
    return tables


def trend(points: list[dict[str, Any]], q: Questionnaire) -> list[dict[str, Any]]:
    """The quarters, labelled in the reader's language, with their figures formatted (for the
    table under the chart) and raw (for the chart)."""
    rows = []
    for point in points:
        quarter = Period(date.fromisoformat(point["from"]), date.fromisoformat(point["to"]))
        rows.append({**point, "label": wording.period_name(quarter), "n_text": wording.count(point["n"]),
                     "index_text": wording.index(point["index"]), "ci_text": wording.interval(point["ci"]),
                     "element_texts": [wording.index(point["elements"].get(e.code)) for e in q.elements]})
    return rows


def comments(page: dict[str, Any]) -> list[dict[str, str]]:
    return [{"when": wording.day(item["submitted_at"].date()), "channel": wording.channel(item["channel"]),
             "text": item["text"]} for item in page["items"]]


def charts(element_rows: list[dict], criteria_groups: list[dict], trend_points: list[dict],
           q: Questionnaire) -> dict[str, Markup]:
    """The SVG charts. They are drawn by our code from numbers and labels (questionnaire texts),
    which charts.py escapes, so they are safe to inline as they are. Drawing takes matplotlib
    a few tenths of a second, so each is kept in the process (reports/chart_memo.py) by
    everything it shows, and drawn again only for other figures, labels or language."""
    lang = wording.language()
    element_items = [{"label": e["title"], "index": e["value"], "ci": e["ci_value"]} for e in element_rows]
    criteria_items = [{"label": f"{c['code']}. {c['text']}", "index": c["value"], "ci": c["ci_value"]}
                      for group in criteria_groups for c in group["criteria"]]
    elements_title = _("Elements with their %(level)s intervals", level="95%")
    criteria_title = _("Criteria with their %(level)s intervals", level="95%")
    trend_title = _("SIPAS index and elements over the last 8 quarters")
    element_labels = {e.code: q.text(e.title, lang) for e in q.elements}

    def kept(chart: str, inputs: list, draw) -> Markup:
        return Markup(drawn([chart, lang, *inputs], draw))

    return {
        "elements": kept("elements", [element_items, elements_title], lambda: element_bars_svg(
            element_items, title=elements_title, number_format=wording.index, id_prefix="chart-elements")),
        "criteria": kept("criteria", [criteria_items, criteria_title], lambda: criteria_bars_svg(
            criteria_items, title=criteria_title, number_format=wording.index, id_prefix="chart-criteria")),
        "trend": kept("trend", [trend_points, element_labels, trend_title, _("SIPAS index")], lambda: trend_svg(
            trend_points, element_labels, title=trend_title, number_format=wording.index,
            sipas_label=_("SIPAS index"), id_prefix="chart-trend")),
    }
