"""Staff print single-use invitations: ``/staff/invitations`` -> an A4 PDF of cut-out slips.

One page (8 slips) is made in the request; a longer sheet (500 slips are some 10 s of CPU) by a
background job (survey_app/jobs/), whose page follows it to the file.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template, request, send_file
from flask_babel import get_locale
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from survey_app.domain.audit import AuditAction
from survey_app.domain.invitation import DossierChannel, last_valid_day
from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.jobs.work import TOKEN_SLOT, make_slips
from survey_app.models import Unit
from survey_app.reports.slips import SLIPS_PER_PAGE, slips_pdf
from survey_app.services.accounts import units_in_scope
from survey_app.services.invitations import MAX_PER_REQUEST, issue_invitations
from survey_app.web.auth import permission_required, record_audit, require_scope
from survey_app.web.jobs import start_job
from survey_app.web.staff import bp
from survey_app.web.staff.forms import SlipsForm
from survey_app.web.urls import survey_url


def _is_small_id(raw: str) -> bool:
    """Ids are small ASCII integers ('²'.isdigit() is true, and int('²') fails)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 9


def _posted_unit() -> Unit | None:
    """The unit a POST asks for, checked against the signed-in user's scope (403 otherwise).

    Checked before anything else: a unit id outside the scope is a forged request, whatever
    else the form holds, and gets 403 whether or not that unit exists.
    """
    raw = (request.form.get("unit") or "").strip()
    if not raw:
        return None  # the form says "required"
    # Anything but a small id (letters, a number too big for the column) is forged.
    unit = db.session.get(Unit, int(raw)) if _is_small_id(raw) else None
    if unit is None:
        abort(403)
    require_scope(unit)
    return unit


@bp.route("/invitations", methods=["GET", "POST"])
@permission_required(Action.PRINT)
def slips():
    units = units_in_scope(db.session, current_user)
    unit = _posted_unit() if request.method == "POST" else None
    form = SlipsForm()
    form.unit.choices = [SelectChoice(str(u.id), f"{u.name} ({u.code})") for u in units]
    if request.method == "GET" and _is_small_id(request.args.get("unit", "")):
        form.unit.data = int(request.args["unit"])
    if form.validate_on_submit() and unit is not None:
        if form.count.data > SLIPS_PER_PAGE:
            return _slips_job(unit, form.count.data, form.procedure.data or None)
        return _slips_pdf(unit, form.count.data, form.procedure.data or None)
    return render_template("staff/invitations.html", form=form, max_count=MAX_PER_REQUEST,
                           language=str(get_locale() or "vi"))


def _filename(unit: Unit, now: datetime) -> str:
    return f"phieu-khao-sat-{unit.code}-{now.astimezone(ZoneInfo(current_app.config['TIMEZONE'])):%Y-%m-%d}.pdf"


def _slips_job(unit: Unit, count: int, procedure: str | None):
    # The printed links follow the address of this request, as _slips_pdf's do: the job puts
    # each token in the slot of this address (it builds no request of its own).
    return start_job("slips", unit=unit, work=make_slips, download_name=_filename(unit, datetime.now(timezone.utc)),
                     arguments={"unit_id": unit.id, "count": count, "procedure": procedure,
                                "user_id": current_user.id, "valid_days": current_app.config["INVITATION_VALID_DAYS"],
                                "survey_address": survey_url(TOKEN_SLOT)})


def _slips_pdf(unit: Unit, count: int, procedure: str | None):
    now = datetime.now(timezone.utc)
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    issued = issue_invitations(
        db.session, unit=unit, count=count, now=now, procedure=procedure, channel=DossierChannel.DIRECT,
        valid_days=current_app.config["INVITATION_VALID_DAYS"], tz=tz,
    )
    last_day = last_valid_day(issued[0].invitation.expires_at, tz)
    pdf = slips_pdf(unit_name=unit.name, procedure=procedure, expires=f"{last_day:%d/%m/%Y}",
                    urls=[survey_url(item.token) for item in issued])
    record_audit(AuditAction.SLIPS_PRINT, unit, count=count, procedure=procedure)
    # Only now, with the PDF made, are the invitations kept.
    db.session.commit()
    response = send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                         download_name=_filename(unit, now))
    # Every slip is a live right to answer: no copy in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response
