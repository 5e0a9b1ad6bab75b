"""``flask --app survey_app figures warm``: compute the officers' pages' figures ahead of time.

At a province's size the first view of a period reads every response of it (and of the period
before, and of the quarters of the trend): seconds to minutes. Kept figures stay right until
their data change (services/figures_cache.py), so a closed period computed once, at night or
after an import, is read in a fraction of a second by every officer afterwards.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app import UI_LANGUAGES
from survey_app.cli.common import parse_date
from survey_app.domain.breakdown import CHANNEL
from survey_app.domain.periods import Period, period_of
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.officer_figures import warm
from survey_app.services.rating_matrix import tree_order
from survey_app.services.scores import ScoreQuery
from survey_app.web.officers.reading import ReportRequest

figures_cli = AppGroup("figures", help="The officers' pages' kept figures.")



def closed_periods(today: date, *, current: bool) -> list[Period]:
    """The last closed month, quarter and year before ``today`` (what reports are made of),
    and with ``current`` the running ones too."""
    periods = [period_of(kind, period_of(kind, today).start - timedelta(days=1)) for kind in ("month", "quarter", "year")]
    if current:
        periods += [period_of(kind, today) for kind in ("month", "quarter", "year")]
    return periods


@figures_cli.command("warm")
@click.option("--from", "start", callback=lambda c, p, v: v and parse_date(c, p, v),
              help="First day of one period to warm, YYYY-MM-DD (with --to).")
@click.option("--to", "end", callback=lambda c, p, v: v and parse_date(c, p, v), help="Its last day.")
@click.option("--current", is_flag=True,
              help="Also the running month, quarter and year (their figures change with every response).")
@click.option("--questionnaire", "questionnaire_id", help="Default: every questionnaire of the catalog.")
@click.option("--charts", "chart_languages", multiple=True, type=click.Choice(["none", *UI_LANGUAGES]),
              default=[UI_LANGUAGES[0]], show_default=True,
              help="Draw the unit pages' charts in this language too (repeatable; none: no chart).")
def warm_command(start: date | None, end: date | None, current: bool, questionnaire_id: str | None,
                 chart_languages: tuple[str, ...]) -> None:
    """Compute and keep the figures of the units table and of every unit's page for the last
    closed month, quarter and year (or --from/--to), so that officers read them at once."""
    if (start is None) != (end is None):
        raise click.BadParameter("give both --from and --to, or neither", param_hint="--from")
    if start is not None and start > end:
        raise click.BadParameter("--from is after --to", param_hint="--from")
    catalog = current_app.extensions["survey_catalog"]
    if questionnaire_id is not None and catalog.get(questionnaire_id) is None:
        raise click.BadParameter(f"unknown questionnaire {questionnaire_id}", param_hint="--questionnaire")
    questionnaires = [catalog.get(questionnaire_id)] if questionnaire_id else list(catalog)
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    periods = [Period(start, end)] if start is not None else closed_periods(datetime.now(tz).date(), current=current)
    codes = [u.code for u in tree_order(list(db.session.scalars(select(Unit))))]
    for q in questionnaires:
        for period in periods:
            started = time.perf_counter()
            # The very query the pages make (web/officers/reading.py), so that they find these figures.
            query = ScoreQuery(questionnaire=q, period=period, tz=tz,
                               min_ranked=current_app.config["MIN_RANKED_RESPONSES"])
            done = warm(db.session, query, codes, trend_quarters=current_app.config["TREND_QUARTERS"],
                        questions=(CHANNEL, *(p.code for p in q.profile)),
                        min_breakdown=current_app.config["MIN_BREAKDOWN_RESPONSES"])
            figures_done = time.perf_counter() - started
            drawn = [lang for lang in dict.fromkeys(chart_languages) if lang != "none"]
            for lang in drawn:
                _draw_charts(ReportRequest(period=period, questionnaire=q, tz=tz, today=datetime.now(tz).date()),
                             codes, lang)
            db.session.rollback()  # kept figures are written on their own connection; nothing else was
            charts = f", charts ({'+'.join(drawn)}) {time.perf_counter() - started - figures_done:.1f} s" if drawn else ""
            click.echo(f"{q.id} {period.start.isoformat()}..{period.end.isoformat()}: {done} units, "
                       f"figures {figures_done:.1f} s{charts}")


def _draw_charts(report: ReportRequest, codes: list[str], lang: str) -> None:
    """The unit pages' charts (matplotlib: a few tenths of a second each), as a view in ``lang``
    draws and keeps them: the page's own code in a request context of that language."""
    from survey_app.web.officers.unit_page import page_figures

    for code in codes:
        with current_app.test_request_context("/", query_string={"lang": lang}):
            page_figures(report, code)
