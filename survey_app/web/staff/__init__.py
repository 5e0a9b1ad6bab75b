"""What signed-in staff, officers and admins use at the one-stop shop, all under ``/staff``:
their units (``home.py``), invitation slips (``slips.py``), counter posters (``posters.py``)
and kiosk registration (``kiosks.py``), and for admins the audit log (``audit_log.py``); their
forms are in ``forms.py``.
"""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from survey_app.web.staff import audit_log, cases, home, kiosks, posters, slips  # noqa: E402,F401  (they add to bp)
