"""The staff, officer and admin start page: the units the signed-in user may act on."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from survey_app.extensions import db
from survey_app.services.accounts import units_in_scope

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@login_required
def index():
    return render_template("staff/home.html", units=units_in_scope(db.session, current_user))
