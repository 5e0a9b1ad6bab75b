"""The early warning in officers' words, and its chart, in one language: what /reports/alerts,
the unit page, the PDF report and the weekly digest all print (docs/indices.md, "Early warning")."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from survey_app.domain.early_warning import DOWN, UP
from survey_app.reports.control_chart import ChartLabels, control_chart_svg
from survey_app.reports.formatting import Figures
from survey_app.services.alerts import UnitAlert


def sentence(alert: UnitAlert, language: str) -> str:
    """"Chỉ số SIPAS của Sở Xây dựng thấp hơn mức thường lệ 6,2 điểm trong 4 tuần liên tiếp"."""
    chart = alert.chart
    if chart.signal is None:
        return state(alert)
    return signal_sentence(alert.name, chart.signal, chart.gap, chart.weeks_signalling, language)


def signal_sentence(name: str, signal: str, gap: float | None, weeks: int, language: str) -> str:
    points = Figures(language).index(abs(gap)) if gap is not None else "—"
    if signal == DOWN:
        return ngettext("The SIPAS index of %(unit)s has been %(points)s points below its usual level for "
                        "%(num)d week", "The SIPAS index of %(unit)s has been %(points)s points below its usual "
                        "level for %(num)d weeks in a row", weeks, unit=name, points=points)
    return ngettext("The SIPAS index of %(unit)s has been %(points)s points above its usual level for "
                    "%(num)d week", "The SIPAS index of %(unit)s has been %(points)s points above its usual "
                    "level for %(num)d weeks in a row", weeks, unit=name, points=points)


def state(alert: UnitAlert) -> str:
    if alert.chart.baseline is None:
        return _("Not enough weeks with responses to compare with")
    if alert.signal == DOWN:
        return _("Below its usual level")
    if alert.signal == UP:
        return _("Above its usual level")
    return _("At its usual level")


def chart(alert: UnitAlert, language: str) -> str:
    """The unit's control chart as inline SVG."""
    figures = Figures(language)

    def week(monday: date) -> str:
        return figures.day(monday)

    labels = ChartLabels(title=_("Weekly SIPAS index of %(unit)s and its control chart", unit=alert.name),
                         index=_("Weekly SIPAS index"), baseline=_("Usual level"),
                         ewma=_("EWMA"), limit=_("Limits"), week=week)
    baseline = alert.chart.baseline.mean if alert.chart.baseline else None
    return control_chart_svg(alert.chart.points, baseline, alert.chart.limit, labels,
                             number_format=figures.index, id_prefix=f"cc-{alert.unit_id}")
