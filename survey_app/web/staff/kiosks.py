"""Staff register and revoke the kiosks of their units: ``/staff/kiosks``.

The kiosk's address, with its secret key, is shown once, on the page that registers it; the
kiosk itself is ``web/public/kiosk.py``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from survey_app.domain.audit import AuditAction
from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.models import Kiosk
from survey_app.reports.qr import qr_svg
from survey_app.services.accounts import units_in_scope
from survey_app.services.kiosks import KioskError, kiosks_of_units, register_kiosk
from survey_app.services.kiosks import revoke_kiosk as revoke
from survey_app.services.units import unit_by_code
from survey_app.web.auth import permission_required, record_audit, require_scope
from survey_app.web.staff import bp
from survey_app.web.staff.forms import RegisterKioskForm
from survey_app.web.urls import public_url


def _register_form(units) -> RegisterKioskForm:
    form = RegisterKioskForm()
    form.unit.choices = [SelectChoice(u.code, f"{u.name} ({u.code})") for u in units]
    if not form.is_submitted() and request.args.get("unit"):
        form.unit.data = request.args["unit"]
    return form


def _kiosk_rows(units) -> list[dict]:
    return [
        {"id": k.id, "public_id": k.public_id, "name": k.name, "unit_name": k.unit.name,
         "unit_code": k.unit.code, "created": format_datetime(k.created_at, "short"),
         "revoked": format_datetime(k.revoked_at, "short") if k.revoked_at else None}
        for k in kiosks_of_units(db.session, units)
    ]


@bp.route("/kiosks", methods=["GET", "POST"])
@permission_required(Action.MANAGE_KIOSKS)
def kiosks():
    units = units_in_scope(db.session, current_user)
    form = _register_form(units)
    if form.validate_on_submit():
        unit = unit_by_code(db.session, form.unit.data) or abort(404)
        require_scope(unit)
        try:
            kiosk, key = register_kiosk(db.session, unit=unit, name=form.name.data, now=datetime.now(timezone.utc))
        except KioskError:
            form.name.errors = [*form.name.errors, _("Please give the kiosk a name.")]
        else:
            record_audit(AuditAction.KIOSK_REGISTER, unit, id=kiosk.id, name=kiosk.name)
            db.session.commit()
            url = public_url("kiosk.survey", public_id=kiosk.public_id, key=key)
            response = make_response(render_template(
                "kiosks/registered.html", kiosk_name=kiosk.name, unit_name=unit.name, url=url,
                qr=Markup(qr_svg(url))))
            # The key is in this page only: never keep it in a cache.
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("kiosks/manage.html", form=form, kiosks=_kiosk_rows(units))


# Ids beyond the column's range are no kiosk (and would make PostgreSQL fail).
@bp.post("/kiosks/<int(max=2147483647):kiosk_id>/revoke")
@permission_required(Action.MANAGE_KIOSKS)
def revoke_kiosk(kiosk_id: int):
    kiosk = db.session.get(Kiosk, kiosk_id) or abort(404)
    # Another unit's kiosk gets the same 404 as a missing one: ids cannot be probed.
    require_scope(kiosk.unit, refusal=404)
    revoke(db.session, kiosk, now=datetime.now(timezone.utc))
    record_audit(AuditAction.KIOSK_REVOKE, kiosk.unit, id=kiosk.id, name=kiosk.name)
    db.session.commit()
    flash(_("The kiosk %(name)s is revoked: its address opens no more.", name=kiosk.name), "info")
    return redirect(url_for(".kiosks"))
