"""``/staff/audit``: the audit log (``services/audit.py``), newest first, a page at a time,
from a day on and of one kind of action. Admins only (``Action.VIEW_AUDIT_LOG``); an admin with
a unit sees the events about the units in their scope, an admin without one sees every event.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey_app.domain.audit import AuditAction
from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.services import audit
from survey_app.services.accounts import units_in_scope
from survey_app.web.auth import permission_required
from survey_app.web.staff import bp

PAGE_SIZE = 50
# Deep pages are no use to a reader (narrow the dates instead) and cost the database a long scan.
MAX_PAGE = 1000

ACTION_NAMES = {
    AuditAction.SIGN_IN: _l("Signed in"),
    AuditAction.SIGN_OUT: _l("Signed out"),
    AuditAction.USER_CREATE: _l("Account created"),
    AuditAction.USER_DISABLE: _l("Account disabled"),
    AuditAction.USER_ENABLE: _l("Account enabled"),
    AuditAction.APIKEY_CREATE: _l("API key created"),
    AuditAction.APIKEY_REVOKE: _l("API key revoked"),
    AuditAction.KIOSK_REGISTER: _l("Kiosk registered"),
    AuditAction.KIOSK_REVOKE: _l("Kiosk revoked"),
    AuditAction.UNITS_IMPORT: _l("Units imported"),
    AuditAction.VOLUMES_IMPORT: _l("Volumes imported"),
    AuditAction.RESPONSES_IMPORT: _l("Responses imported"),
    AuditAction.RESPONSES_EXPORT: _l("Responses exported"),
    AuditAction.SLIPS_PRINT: _l("Invitation slips printed"),
    AuditAction.POSTER_PRINT: _l("Counter poster printed"),
    AuditAction.REPORT_DOWNLOAD: _l("Report downloaded"),
    AuditAction.FLAG_REVIEW: _l("Flagged response reviewed"),
    AuditAction.CASE_ACKNOWLEDGE: _l("Citizen's request acknowledged"),
    AuditAction.CASE_ANSWER: _l("Citizen's request answered"),
    AuditAction.CASE_REOPEN: _l("Citizen's request reopened"),
    AuditAction.CASE_CLOSE: _l("Citizen's request closed"),
    AuditAction.CASE_ESCALATE: _l("Citizen's request escalated"),
}
DETAIL_NAMES = {
    "count": _l("Number"), "procedure": _l("Procedure code"), "size": _l("Size"), "format": _l("Format"),
    "lang": _l("Language"), "questionnaire": _l("Questionnaire"), "start": _l("From"), "end": _l("To"),
    "email": _l("E-mail"), "role": _l("Role"), "id": _l("Id"), "name": _l("Name"), "created": _l("Created"),
    "updated": _l("Updated"), "added": _l("Added"), "replaced": _l("Replaced"), "decision": _l("Decision"),
    "response": _l("Response"), "case": _l("Case"),
}


def _since() -> tuple[str, date | None, str | None]:
    """The ``since`` asked for as typed, as a day, and what is wrong with it."""
    raw = request.args.get("since", "").strip()
    if not raw:
        return "", None, None
    try:
        return raw, date.fromisoformat(raw), None
    except ValueError:
        return raw, None, _("Please give a date as YYYY-MM-DD.")


def _page() -> int:
    raw = request.args.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 4 and int(raw) else 1


def _row(event, tz: ZoneInfo) -> dict:
    return {
        "id": event.id,
        "when": event.occurred_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
        "who": audit.actor_name(event),
        "action": str(ACTION_NAMES.get(event.action, event.action)),
        "unit": f"{event.unit.name} ({event.unit.code})" if event.unit else "",
        "detail": [(str(DETAIL_NAMES.get(key, key)), value) for key, value in event.detail.items()],
    }


@bp.get("/audit")
@permission_required(Action.VIEW_AUDIT_LOG)
def audit_log():
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    since_text, since, since_error = _since()
    action = request.args.get("action", "")
    if action not in ACTION_NAMES:
        action = ""
    page = _page()
    scope = None if current_user.unit_id is None else {u.id for u in units_in_scope(db.session, current_user)}
    found = audit.events(db.session, since=datetime.combine(since, time(), tz) if since else None,
                         action=action or None, unit_ids=scope, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    filters = {"since": since.isoformat() if since else None, "action": action or None,
               "lang": request.args.get("lang")}
    return render_template(
        "staff/audit.html", rows=[_row(event, tz) for event in found.events], since=since_text,
        since_error=since_error, action=action, actions=[(str(a), str(name)) for a, name in ACTION_NAMES.items()],
        newer=url_for(".audit_log", page=page - 1, **filters) if page > 1 else None,
        older=url_for(".audit_log", page=page + 1, **filters) if found.has_more and page < MAX_PAGE else None,
        page=page, timezone=tz.key,
    )
