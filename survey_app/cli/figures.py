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

from survey_app.cli.common import parse_date
from survey_app.domain.breakdown import CHANNEL
from survey_app.domain.periods import Period, period_of
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.officer_figures import warm
from survey_app.services.rating_matrix import tree_order
from survey_app.services.scores import ScoreQuery

figures_cli = AppGroup("figures", help="The officers' pages' kept figures.")

TREND_QUARTERS = 8  # web/officers/unit_page.py shows as many


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
def warm_command(start: date | None, end: date | None, current: bool, questionnaire_id: str | None) -> None:
    """Compute and keep the figures of the units table and of every unit's page for the last
    closed month, quarter and year (or --from/--to), so that officers read them at once. (The
    pages' charts are kept by each web process, reports/chart_memo.py: nothing to draw here.)"""
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
            done = warm(db.session, query, codes, trend_quarters=TREND_QUARTERS,
                        questions=(CHANNEL, *(p.code for p in q.profile)),
                        min_breakdown=current_app.config["MIN_BREAKDOWN_RESPONSES"])
            db.session.rollback()  # kept figures are written on their own connection; nothing else was
            click.echo(f"{q.id} {period.start.isoformat()}..{period.end.isoformat()}: {done} units, "
                       f"figures {time.perf_counter() - started:.1f} s")
