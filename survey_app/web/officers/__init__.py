"""What reform (CCHC) officers read, all under ``/reports``: the units table
(``units_table.py``), one unit's page (``unit_page.py``) and the PDF and workbook downloads
(``downloads.py``). ``reading.py`` reads what a request asks for and checks the reader's scope;
``wording.py`` formats numbers, dates and periods in the reader's language.

Admins, officers and staff may all read reports (``Action.VIEW_REPORTS``), each only for the
units in their scope; a unit outside it is answered like a unit that does not exist (404).
"""

from flask import Blueprint

bp = Blueprint("officers", __name__, url_prefix="/reports")



@bp.context_processor
def _switch():
    from survey_app.web.officers.reading import language_switch

    return {"language_switch": language_switch}


from survey_app.web.officers import alerts, cases, downloads, flags, subscriptions, unit_page, units_table  # noqa: E402,F401  (they add to bp)
