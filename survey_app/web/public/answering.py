"""What every way to the survey shares (open link, invitation, kiosk): which questionnaire,
in which language, reading a posted form, and storing it exactly once."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, request, url_for

from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.submission import Channel, Submission
from survey_app.extensions import db
from survey_app.models import Invitation
from survey_app.services.screening_memory import ScreeningMemory, screening_memory
from survey_app.services.secrets import new_secret
from survey_app.services.submissions import Arrival, Submitted, submit
from survey_app.web.public.protection import HONEYPOT
from survey_app.web.public.screening import integrity_rules, served_at, stamp_served_at
from survey_app.web.public.survey_form import SurveyForm, posted_submission, survey_form


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


@dataclass(frozen=True)
class PostedForm:
    """A posted survey form as read once for every way in (open link, invitation, kiosk).

    ``submission`` is what it says when it is valid; else None, and ``form`` (the full form, its
    errors attached) is to be shown again. ``trapped``: the honeypot of open links was filled.
    """

    submission: Submission | None
    form: SurveyForm | None
    submission_key: str
    served_at: datetime | None
    trapped: bool = False


def read_posted_form(q: Questionnaire, language: str, *, honeypot: bool = False,
                     issued_within: timedelta | None = None) -> PostedForm:
    """Read this request's posted survey form: the plain valid form straight against the
    questionnaire, anything else through the full form, which explains its problems.

    With ``issued_within`` (open links) the form counts only with a submission key we issued
    with a page served that long ago at most (its signed ``served_at``): a key of the client's
    making, or a page left too long, gets the form back with a fresh key and the message to
    press Send again, and nothing is stored.
    """
    key = request.form.get("submission_key") or ""
    started = served_at(request.form.get("served_at"), key)
    if honeypot and (request.form.get(HONEYPOT) or "").strip():
        return PostedForm(None, None, key, started, trapped=True)
    issued = issued_within is None or (started is not None and now() - started <= issued_within)
    submission = posted_submission(q) if issued else None
    form = None
    if submission is None:
        form = survey_form(q, language, honeypot=honeypot)()
        submission = form.to_submission() if form.validate() else None
        if not issued:
            # Its key is renewed when the form is drawn again (renew_submission_key_if_needed).
            form.submission_key.errors = [*form.submission_key.errors, "not issued"]
            submission = None
    return PostedForm(submission, form, key, started)


def now() -> datetime:
    """The time of this request (read through time.time, as the limiter and the signed tokens do)."""
    return datetime.fromtimestamp(time.time(), timezone.utc)


def _screening_memory() -> ScreeningMemory:
    memory = current_app.extensions.get("screening_memory")
    if memory is None:
        c = current_app.config
        memory = current_app.extensions["screening_memory"] = screening_memory(
            c["RATELIMIT_STORAGE_URI"], c["RATELIMIT_KEY_PREFIX"], **c["RATELIMIT_STORAGE_OPTIONS"])
    return memory


def store_posted(posted: PostedForm, *, unit, questionnaire: Questionnaire, locale: str, channel: Channel,
                 kiosk_id: int | None = None, invitation: Invitation | None = None,
                 source: str | None = None) -> Submitted:
    """Submit a valid posted form now (``services/submissions.submit``) and commit."""
    assert posted.submission is not None
    at = now()
    outcome = submit(db.session, Arrival(
        unit=unit, questionnaire=questionnaire, submission=posted.submission, locale=locale, channel=channel,
        submission_key=posted.submission_key, given_at=at, served_at=posted.served_at, kiosk_id=kiosk_id,
        invitation=invitation, source=source,
    ), rules=integrity_rules(), now=at, tz=ZoneInfo(current_app.config["TIMEZONE"]), memory=_screening_memory())
    db.session.commit()
    return outcome


def renew_submission_key_if_needed(form) -> None:
    """Give a fresh form, or a posted one whose key was lost or mangled, a new submission key.

    The key is what makes a double tap count once; a form without a valid one asks the citizen
    to press Send again (see the template), and that second press must be able to succeed.
    """
    if not form.is_submitted() or form.submission_key.errors:
        form.submission_key.data = new_secret(24)
    # Every page that shows the form passes here: stamp when it was served (bound to the key).
    stamp_served_at(form)
