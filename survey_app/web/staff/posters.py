"""Counter posters: a unit's open survey link ``/u/<unit code>`` as a QR code, in A4 or A5."""

from __future__ import annotations

import io
import re

from flask import abort, request, send_file
from markupsafe import Markup

from survey_app.domain.audit import AuditAction
from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.reports.pdf import render_pdf
from survey_app.reports.qr import qr_svg
from survey_app.services.units import unit_by_code
from survey_app.web.auth import permission_required, record_audit, require_scope
from survey_app.web.staff import bp
from survey_app.web.urls import public_url

SIZES = ("A4", "A5")


@bp.get("/units/<unit_code>/poster.pdf")
@permission_required(Action.PRINT)
def poster(unit_code: str):
    size = request.args.get("size", "A4").upper()
    if size not in SIZES:
        abort(400)
    unit = unit_by_code(db.session, unit_code) or abort(404)
    require_scope(unit)
    url = public_url("open_link.survey", unit_code=unit.code)
    pdf = render_pdf("pdf/poster.html", size=size, unit_name=unit.name, url=url,
                     qr=Markup(qr_svg(url)))
    record_audit(AuditAction.POSTER_PRINT, unit, size=size)
    db.session.commit()
    safe_code = re.sub(r"[^A-Za-z0-9_-]+", "_", unit.code)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf",
                     download_name=f"poster-{safe_code}-{size}.pdf", max_age=0)
