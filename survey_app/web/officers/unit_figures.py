"""One unit's figures (services.figures: its UnitFigures, breakdowns, trend and comments) turned
into what templates/officers/unit.html prints, and its charts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from survey_app.domain.bands import band
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import Channel
from survey_app.reports.chart_memo import drawn
from survey_app.reports.charts import criteria_bars_svg, element_bars_svg, trend_svg
from survey_app.reports.report_document import flagged_share, received
from survey_app.services.figures import Breakdown, ChannelCount, CommentPage, Figures, Trend
from survey_app.web.officers import wording


def elements(figures: Figures, q: Questionnaire) -> list[dict[str, Any]]:
    lang = wording.language()
    rows = []
    for e in q.elements:
        index = figures.elements[e.code].index
        rows.append({"code": e.code, "title": q.text(e.title, lang), "value": index.value, "ci_value": index.ci,
                     "index": wording.index(index.value), "ci": wording.interval(index.ci),
                     "band": band(index.value)})
    return rows


def criteria(figures: Figures, q: Questionnaire) -> list[dict[str, Any]]:
    """Per element, its criteria with n, satisfied, index and interval."""
    lang = wording.language()
    groups = []
    for e in q.elements:
        rows = []
        for c in e.criteria:
            found = figures.criteria[c.code]
            rows.append({"code": c.code, "text": q.text(c.text, lang), "value": found.index.value,
                         "ci_value": found.index.ci, "n": wording.count(found.index.n),
                         "satisfied": wording.count(found.satisfied), "index": wording.index(found.index.value),
                         "ci": wording.interval(found.index.ci)})
        groups.append({"title": q.text(e.title, lang), "criteria": rows})
    return groups


def expectations(figures: Figures, q: Questionnaire) -> list[dict[str, str]]:
    """The options, most chosen first (the questionnaire's order breaks ties)."""
    if q.expectations is None:
        return []
    lang = wording.language()
    options = list(q.expectations.options)
    shares = figures.expectations
    ordered = sorted(options, key=lambda o: (shares.get(o.code) is None, -(shares.get(o.code) or 0.0),
                                             options.index(o)))
    return [{"code": o.code, "label": q.text(o.label, lang), "share": wording.share(shares.get(o.code))}
            for o in ordered]


def channels(split: Breakdown | None) -> list[dict[str, Any]]:
    return _cells(split, wording.channel)


def _cells(split: Breakdown | None, name: Callable[[str], str]) -> list[dict[str, Any]]:
    """A breakdown's cells as the table prints them; an empty cell is left out, a small one
    keeps its n and says it is too small (domain.breakdown)."""
    if split is None:
        return []
    return [
        {"code": cell.answer, "name": name(cell.answer), "n": wording.count(cell.n), "suppressed": cell.suppressed,
         "index": wording.index(cell.index.value if cell.index else None),
         "ci": wording.interval(cell.index.ci if cell.index else None)}
        for cell in split.cells if cell.n or not cell.suppressed
    ]


def channel_counts(counts: tuple[ChannelCount, ...]) -> list[dict[str, Any]]:
    """Respondents by channel, with the responses of that channel flagged as made up (left out of
    every figure until an officer restores them) and their share: the defences at work. The
    open link is the channel a script can reach; its row is marked."""
    return [{"code": count.channel, "name": wording.channel(count.channel), "n": wording.count(count.n),
             "responses": wording.count(count.responses), "flagged": wording.count(count.flagged),
             "flagged_share": wording.rate(flagged_share(count)), "open_link": count.channel == Channel.LINK}
            for count in received(counts)]


def profiles(splits: Mapping[str, Breakdown], q: Questionnaire) -> list[dict[str, Any]]:
    """One table per profile question of the questionnaire, in its order, labelled in the reader's language."""
    lang = wording.language()
    tables = []
    for question in q.profile:
        labels = {o.code: q.text(o.label, lang) for o in question.options}
        tables.append({"code": question.code, "title": q.text(question.question, lang),
                       "cells": _cells(splits.get(question.code), lambda code, labels=labels: labels.get(code, code))})
    return tables


def trend(found: Trend, q: Questionnaire) -> list[dict[str, Any]]:
    """The quarters, labelled in the reader's language, with their figures formatted (for the
    table under the chart) and raw (for the chart)."""
    return [{"from": point.period.start.isoformat(), "label": wording.period_name(point.period),
             "index": point.index.value, "elements": dict(point.elements),
             "n_text": wording.count(point.index.n), "index_text": wording.index(point.index.value),
             "ci_text": wording.interval(point.index.ci),
             "element_texts": [wording.index(point.elements.get(e.code)) for e in q.elements]}
            for point in found.points]


def comments(page: CommentPage) -> list[dict[str, str]]:
    return [{"when": wording.day(item.submitted_at.date()), "channel": wording.channel(item.channel),
             "text": item.text} for item in page.items]


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
    points = [{"label": p["label"], "index": p["index"], "elements": p["elements"]} for p in trend_points]
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
        "trend": kept("trend", [points, element_labels, trend_title, _("SIPAS index")], lambda: trend_svg(
            points, element_labels, title=trend_title, number_format=wording.index,
            sipas_label=_("SIPAS index"), id_prefix="chart-trend")),
    }
