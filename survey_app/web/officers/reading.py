"""What an officers' page asks for (period, questionnaire, unit), checked: a bad value is a 400
page saying what is wrong, a unit outside the reader's scope a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app import UI_LANGUAGES
from survey_app.domain.periods import Period
from survey_app.domain.permissions import covers_all_units
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.report_period import PeriodProblem, parse_period, period_from_code
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.accounts import in_scope
from survey_app.services.figures import FiguresQuery
from survey_app.services.units import unit_by_code


@dataclass(frozen=True)
class ReportRequest:
    period: Period
    questionnaire: Questionnaire
    tz: ZoneInfo
    today: date  # in the deployment's time zone

    def query(self, unit_code: str | None) -> FiguresQuery:
        config = current_app.config
        return FiguresQuery(questionnaire=self.questionnaire, period=self.period, tz=self.tz,
                            min_ranked=config["MIN_RANKED_RESPONSES"], unit_code=unit_code,
                            min_breakdown=config["MIN_BREAKDOWN_RESPONSES"],
                            ranking_channels=tuple(config.get("RANKING_CHANNELS") or ()) or None)


def _period_message(problem: PeriodProblem) -> str:
    return {
        PeriodProblem.MISSING: _("Please give both the first and the last day of the period."),
        PeriodProblem.FORMAT: _("Please give dates as YYYY-MM-DD, for example 2026-03-31."),
        PeriodProblem.ORDER: _("The first day of the period is after its last day."),
        PeriodProblem.RANGE: _("Please choose a period between the years 2000 and 2099, at most ten years long."),
    }[problem.reason]


def bad_request(message: str):
    abort(400, description=message)


def _this_page(args: dict[str, str]) -> str:
    """This page's address with the query ``args``, less the stray ones that would make
    ``url_for`` fail (``endpoint``, ``_method``...) or name another page (a view argument such
    as ``code``): a request never ends in a 500 because of what a client sent."""
    view_args = request.view_args or {}
    kept = {k: v for k, v in args.items() if k != "endpoint" and not k.startswith("_") and k not in view_args}
    return url_for(request.endpoint, **view_args, **kept)


def picked_period_redirect() -> str | None:
    """The picker sends ``period=2026-Q1``; pages are addressed by ``from``/``to``, so that
    one address always means one period. Returns where to go, or None."""
    code = request.args.get("period")
    if code is None:
        return None
    try:
        period = period_from_code(code)
    except PeriodProblem as problem:
        bad_request(_period_message(problem))
    args = {k: v for k, v in request.args.items() if k != "period"}
    if args.get("q") == current_app.extensions["survey_catalog"].default_id:
        del args["q"]  # the picker always sends it; the default needs no mention
    args.update({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return _this_page(args)


def report_request() -> ReportRequest:
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    today = datetime.now(tz).date()
    try:
        period = parse_period(request.args.get("from"), request.args.get("to"), today=today)
    except PeriodProblem as problem:
        bad_request(_period_message(problem))
    catalog = current_app.extensions["survey_catalog"]
    q = request.args.get("q") or catalog.default_id
    questionnaire = catalog.get(q)
    if questionnaire is None:
        bad_request(_("There is no questionnaire %(id)s.", id=q))
    return ReportRequest(period=period, questionnaire=questionnaire, tz=tz, today=today)


def scoped_unit(code: str | None) -> Unit | None:
    """The unit of ``code`` if the reader may see it; 404 otherwise, exactly as for a unit that
    does not exist, so that nobody learns which codes exist outside their scope. No code: the
    reader's own unit (None for those who see every unit)."""
    if not code:
        return current_user.unit
    unit = unit_by_code(db.session, code)
    if unit is None or not in_scope(db.session, current_user, unit):
        abort(404)
    return unit


def sees_nothing() -> bool:
    """A staff account without a unit (which account creation refuses, but a database may hold)."""
    return current_user.unit is None and not covers_all_units(current_user.role)


def link(endpoint: str, report: ReportRequest, **values) -> str:
    """An address on the officers' pages for the same period, questionnaire and language."""
    kept = {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()}
    if request.args.get("q"):
        kept["q"] = report.questionnaire.id
    if request.args.get("lang") in UI_LANGUAGES:
        kept["lang"] = request.args["lang"]
    return url_for(endpoint, **{**kept, **values})


def language_switch() -> list[tuple[str, str]]:
    """(language, this very address in it), the whole query kept."""
    return [(code, _this_page({**request.args.to_dict(), "lang": code})) for code in UI_LANGUAGES]
