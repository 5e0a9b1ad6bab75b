"""The staff, officer and admin start page: the units the signed-in user may act on."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from survey_app.extensions import db
from survey_app.services.accounts import units_in_scope
from survey_app.web.staff import bp


@bp.get("/")
@login_required
def home():
    return render_template("staff/home.html", units=units_in_scope(db.session, current_user))
