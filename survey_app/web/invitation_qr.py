"""The QR code of a single-use invitation, for the one-stop software to print on a receipt.

``/s/<token>/qr.svg`` and ``/s/<token>/qr.png`` encode the survey URL ``/s/<token>``. They are
public (the token is the credential, as for the survey itself) and exist only while the
invitation can still be answered.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, abort

from survey_app.extensions import db
from survey_app.reports.qr import qr_png, qr_svg
from survey_app.services.invitations import invitation_by_token, status
from survey_app.web.urls import survey_url

bp = Blueprint("invitation_qr", __name__)


def _open_invitation_url(token: str) -> str:
    invitation = invitation_by_token(db.session, token)
    if invitation is None or status(invitation, datetime.now(timezone.utc)) != "issued":
        abort(404)
    return survey_url(token)


def _image(body: str | bytes, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    # The image is as good as the token: no shared cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/s/<token>/qr.svg")
def qr_svg_image(token: str):
    return _image(qr_svg(_open_invitation_url(token)), "image/svg+xml")


@bp.get("/s/<token>/qr.png")
def qr_png_image(token: str):
    return _image(qr_png(_open_invitation_url(token)), "image/png")
