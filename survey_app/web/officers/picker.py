"""The period picker every officers' page shows: a list of recent months, quarters and years,
custom dates, and links to the period before and after. Plain GET forms: no script needed."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask_babel import gettext as _

from survey_app import UI_LANGUAGES
from survey_app.domain.report_period import following, name_of, recent_periods
from survey_app.web.officers import wording
from survey_app.web.officers.reading import ReportRequest, link


def picker(report: ReportRequest, endpoint: str, **values: Any) -> dict[str, Any]:
    """What templates/officers/_picker.html needs; ``values`` are the page's own (a unit code)."""
    kinds = {"quarter": _("Quarters"), "month": _("Months"), "year": _("Years")}
    recent = recent_periods(report.today)
    groups = [{"label": label, "options": [(name_of(p).code, wording.period_name(p)) for p in recent[kind]]}
              for kind, label in kinds.items()]
    # Fields the forms carry along unchanged: the language, the questionnaire, a table's order.
    hidden = {name: request.args[name] for name in ("lang", "sort", "order")
              if request.args.get(name) and (name != "lang" or request.args[name] in UI_LANGUAGES)}
    catalog = current_app.extensions["survey_catalog"]
    questionnaires = [(q.id, q.text(q.title, wording.language())) for q in catalog] if len(
        catalog.questionnaires) > 1 else []
    if not questionnaires and request.args.get("q"):
        hidden["q"] = report.questionnaire.id
    later = following(report.period)
    keep = {k: v for k, v in hidden.items() if k != "q"}
    return {
        "action": url_for(endpoint, **values),
        "groups": groups,
        "selected": name_of(report.period).code,
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
        "hidden": hidden,
        "questionnaires": questionnaires,
        "questionnaire": report.questionnaire.id,
        "earlier": link(endpoint, report, **values, **keep, **_bounds(report.period.previous())),
        "earlier_name": wording.period_name(report.period.previous()),
        "later": link(endpoint, report, **values, **keep, **_bounds(later)) if later.start <= report.today else None,
        "later_name": wording.period_name(later),
    }


def _bounds(period) -> dict[str, str]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}
