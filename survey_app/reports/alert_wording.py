"""The early warning in officers' words, and its chart, in one language: what /reports/alerts,
the unit page, the PDF report and the weekly digest all print (docs/indices.md, "Early warning")."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext

from survey_app.domain.early_warning import DOWN, UP
from survey_app.reports.chart_memo import drawn
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
    # Drawn once per process for what it shows (reports/chart_memo.py): /reports/alerts draws
    # every signalling unit's chart, a few tenths of a second each.
    shows = ["control", language, alert.unit_id, labels.title, labels.index, labels.baseline, labels.ewma,
             labels.limit, baseline, alert.chart.limit,
             [(week(p.week.start), p.week.n, p.week.index, p.counted, p.ewma, p.signal) for p in alert.chart.points]]
    return drawn(shows, lambda: control_chart_svg(alert.chart.points, baseline, alert.chart.limit, labels,
                                                  number_format=figures.index, id_prefix=f"cc-{alert.unit_id}"))


def digest_text(alerts, language: str, *, link: str, unsubscribe: str) -> tuple[str, str]:
    """The weekly digest's subject and text: every signalling unit of the scope with its
    sentence and the figures of ``alerts --format json``, rounded as pages print them."""
    figures = Figures(language)
    first, last = figures.day(alerts.first), figures.day(alerts.last + timedelta(days=6))
    signalling = alerts.signalling
    subject = ngettext("Early warning: %(num)d unit signalling, week ending %(day)s",
                       "Early warning: %(num)d units signalling, week ending %(day)s", len(signalling),
                       day=last)
    lines = [_("Early warning of the weeks from %(first)s to %(last)s.", first=first, last=last), ""]
    for alert in signalling:
        chart, week = alert.chart, alert.chart.last.week
        since = _("since %(day)s", day=figures.day(chart.since))
        lines.append(f"- {sentence(alert, language)} ({since}).")
        lines.append("  " + _("EWMA %(ewma)s (limit ±%(limit)s); usual level %(baseline)s; last week %(index)s "
                              "(%(n)s responses).", ewma=format(chart.ewma, "+.2f"), limit=format(chart.limit, ".2f"),
                              baseline=figures.index(chart.baseline.mean), index=figures.index(week.index),
                              n=week.n))
    if not signalling:
        lines.append(_("No unit is signalling: every weekly index is where it usually is."))
    lines += ["", _("Charts: %(link)s", link=link), "",
              _("To stop receiving this e-mail: %(link)s", link=unsubscribe)]
    return subject, "\n".join(lines) + "\n"


def report_mail_text(scope_name: str, period_name: str, *, attached: bool, link: str,
                     unsubscribe: str) -> tuple[str, str]:
    """The subscribed report's subject and text: the PDF attached, or a sign-in link to it."""
    subject = _("Satisfaction report %(period)s: %(scope)s", period=period_name, scope=scope_name)
    body = (_("The satisfaction report of %(scope)s for %(period)s is attached.", scope=scope_name, period=period_name)
            if attached else
            _("The satisfaction report of %(scope)s for %(period)s is too large to attach; sign in to download it: "
              "%(link)s", scope=scope_name, period=period_name, link=link))
    return subject, "\n".join([body, "", _("To stop receiving this e-mail: %(link)s", link=unsubscribe)]) + "\n"
