"""``/reports/alerts``: the units of the reader's scope whose weekly SIPAS index left its usual
level (docs/indices.md, "Early warning"), "down" first, each with its sentence and chart."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_login import current_user
from markupsafe import Markup

from survey_app.domain.early_warning import ChartRule
from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.reports import alert_wording
from survey_app.services.alerts import Alerts, unit_alerts
from survey_app.web.auth import permission_required
from survey_app.web.officers import bp, wording
from survey_app.web.officers.reading import sees_nothing


def scope_alerts(scope=None) -> Alerts | None:
    """The reader's scope (or ``scope``, a unit in it) as of today; None for an account that sees nothing."""
    if scope is None and sees_nothing():
        return None
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    return unit_alerts(db.session, current_app.extensions["survey_catalog"].default, datetime.now(tz).date(), tz,
                       ChartRule.from_settings(current_app.config), scope or current_user.unit)


@bp.get("/alerts")
@permission_required(Action.VIEW_REPORTS)
def alerts():
    found = scope_alerts()
    language = wording.language()
    signalling = found.signalling if found else ()
    return render_template(
        "officers/alerts.html", language=language, alerts=found,
        first=wording.day(found.first) if found else None, last=wording.day(found.last) if found else None,
        entries=[{"alert": a, "sentence": alert_wording.sentence(a, language),
                  "chart": Markup(alert_wording.chart(a, language)),
                  "since": wording.day(a.chart.since)} for a in signalling],
        quiet=[{"alert": a, "state": alert_wording.state(a)} for a in (found.units if found else ())
               if a.signal is None],
    )


def unit_early_warning(unit) -> dict | None:
    """The unit's state and chart for its page (its own responses, as of today)."""
    found = scope_alerts(unit)
    alert = found.of(unit.id) if found else None
    if alert is None:
        return None
    language = wording.language()
    return {"alert": alert, "sentence": alert_wording.sentence(alert, language),
            "chart": Markup(alert_wording.chart(alert, language)) if alert.chart.baseline else None}


def signals_in_scope() -> dict[str, str]:
    """Unit code -> "down" or "up", for the units table's marks."""
    found = scope_alerts()
    return {a.code: a.signal for a in found.signalling} if found else {}
