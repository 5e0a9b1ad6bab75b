"""What every way to the survey shares (open link, invitation, kiosk): which questionnaire,
in which language, and storing a submitted form exactly once."""

from __future__ import annotations

from flask import abort, current_app, request, url_for
from sqlalchemy.exc import IntegrityError

from survey_app.domain.questionnaire import Questionnaire
from survey_app.extensions import db
from survey_app.services.responses import already_submitted, record_response
from survey_app.services.secrets import new_secret
from survey_app.web.public.screening import screen, stamp_served_at


def requested_questionnaire() -> Questionnaire:
    """The questionnaire named by ``?q=``, else the default one; 404 for an unknown id."""
    catalog = current_app.extensions["survey_catalog"]
    return catalog.get(request.args.get("q") or catalog.default_id) or abort(404)


def survey_language(q: Questionnaire) -> str:
    """The citizen's choice (``?lang=``) when the questionnaire has it, else its first language."""
    chosen = request.args.get("lang")
    return chosen if chosen in q.languages else q.default_language


# The query parameters a survey page's address carries on to its other languages; anything else
# in the query (``?endpoint=``, ``?_external=``, a stray ``?token=``) is ignored, never passed
# to url_for, where it would clash with the route's own arguments or change the link.
KEPT_PARAMETERS = ("q", "key")


def language_links(q: Questionnaire) -> list[tuple[str, str]]:
    """(language, address) for the current survey page in each of the questionnaire's
    languages, keeping the questionnaire (``q``) and a kiosk's ``key``."""
    kept = {name: request.args[name] for name in KEPT_PARAMETERS
            if request.args.get(name) and name not in (request.view_args or {})}
    return [(code, url_for(request.endpoint, **(request.view_args or {}), **kept, lang=code))
            for code in q.languages]


def store_once(*, submission_key: str, **response) -> None:
    """Record and commit the response unless this form (its submission key) was stored before.

    The unique key decides, without a look first (a form is almost always new): a double tap,
    or a form posted again, makes the insert fail, and finding the key stored means it was
    counted already (by this request's twin when both came at once).
    """
    try:
        stored = record_response(db.session, submission_key=submission_key, **response)
        # Screened in the same transaction: a response is never counted before it is judged.
        screen(stored, response["questionnaire"], response["submission"])
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not already_submitted(db.session, submission_key):
            raise


def renew_submission_key_if_needed(form) -> None:
    """Give a fresh form, or a posted one whose key was lost or mangled, a new submission key.

    The key is what makes a double tap count once; a form without a valid one asks the citizen
    to press Send again (see the template), and that second press must be able to succeed.
    """
    if not form.is_submitted() or form.submission_key.errors:
        form.submission_key.data = new_secret(24)
    # Every page that shows the form passes here: stamp when it was served (bound to the key).
    stamp_served_at(form)
