"""The landing page: what this deployment is, and the survey link of every unit."""

from __future__ import annotations

from flask import Blueprint, render_template

from survey_app.extensions import db
from survey_app.services.units import all_units

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home.html", units=all_units(db.session))
