"""The kiosk's own endpoints for working offline: its service worker, and the sync of its queue.

``POST /k/<kiosk id>/sync`` takes answers that waited on the kiosk (static/kiosk_queue.js) as
JSON, authorised by the kiosk's key in the body (no cookie, so no CSRF token: a page kept
offline for days has none that is still valid)::

    {"key": "<kiosk key>", "answers": [{"key": "<submission key>", "given_at": "<ISO 8601>",
      "started_at": "<ISO 8601>", "questionnaire": "sipas", "hash": "<content hash>",
      "language": "vi", "fields": [["TC1", "5"], ["expectations", "E1"], ...]}, ...]}

and answers one result per answer, ``{"results": [{"key", "status", "reason"?}]}``: status
``stored`` or ``already_stored`` (the kiosk may forget it) or ``refused``, with a reason the
kiosk keeps for staff. A revoked kiosk's whole queue is refused at once: 403 with
``{"refused": "revoked", "reason"}``. The deciding is services/kiosk_queue.py's.

``GET /k/service-worker.js`` serves static/kiosk_sw.js from under /k/, so that its scope is
the kiosk pages (a script under /static/ could only control /static/).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, jsonify, request, send_from_directory
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from survey_app.domain.posted_form import plain_submission
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.text import is_plain_text
from survey_app.extensions import csrf, db, limiter
from survey_app.services.kiosk_queue import QueuedAnswer, QueuedOutcome, Refusal, Status, store_queue
from survey_app.services.kiosks import registered_kiosk
from survey_app.web.public.kiosk import SYNC_BATCH, bp, counts_against_the_kiosk
from survey_app.web.public.screening import integrity_rules
from survey_app.web.public.survey_form import SUBMISSION_KEY, survey_form

# Fields that travel with a form but are not answers.
NOT_ANSWERS = frozenset({"csrf_token", "submission_key", "served_at"})


def _now() -> datetime:
    return datetime.now(timezone.utc)


@bp.get("/k/service-worker.js")
def service_worker():
    response = send_from_directory(current_app.static_folder, "kiosk_sw.js", mimetype="text/javascript",
                                   max_age=0)
    # Checked again on every visit: a new release reaches every kiosk the next time it is online.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _sync_limit() -> str:
    return current_app.config["KIOSK_SYNC_RATE_LIMIT"]


def _sync_limit_key() -> str:
    return f"kiosk-sync:{(request.view_args or {}).get('public_id', '')}"


@bp.post("/k/<public_id>/sync")
# Per kiosk, counting only requests with its key (as the kiosk's form posts): a kiosk waits and
# tries again after a 429, and a full queue needs some sixty requests.
@limiter.limit(_sync_limit, key_func=_sync_limit_key, deduct_when=counts_against_the_kiosk)
def sync(public_id: str):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), list):
        abort(400)
    answers = payload["answers"]
    if len(answers) > SYNC_BATCH:
        abort(413)
    key = payload.get("key")
    kiosk = registered_kiosk(db.session, public_id, key if isinstance(key, str) and is_plain_text(key) else None)
    if kiosk is None:
        return jsonify(refused="unknown", reason=_(
            "This kiosk is not registered, or no longer. Please tell the staff at the counter.")), 403
    if kiosk.revoked_at is not None:
        return jsonify(refused=Refusal.REVOKED.value, reason=_refusal_text(Refusal.REVOKED)), 403
    now = _now()
    queued = [_read_answer(answer) for answer in answers]
    outcomes = store_queue(db.session, kiosk=kiosk, answers=queued, now=now,
                           max_age=timedelta(days=int(current_app.config["KIOSK_QUEUE_MAX_AGE_DAYS"])),
                           rules=integrity_rules(), tz=ZoneInfo(current_app.config["TIMEZONE"]))
    db.session.commit()
    return jsonify(results=[_result(outcome) for outcome in outcomes])


csrf.exempt(sync)


def _result(outcome: QueuedOutcome) -> dict:
    result: dict = {"key": outcome.key, "status": outcome.status.value}
    if outcome.status is Status.REFUSED and outcome.refusal is not None:
        result["refused"] = outcome.refusal.value
        result["reason"] = _refusal_text(outcome.refusal, outcome.problems)
    if outcome.clock_ahead:
        result["clock_ahead"] = True
    return result


def _refusal_text(refusal: Refusal, problems: tuple[str, ...] = ()) -> str:
    if refusal is Refusal.REVOKED:
        return _("This kiosk was revoked: the answers waiting on it cannot be sent. "
                 "Please tell the staff who manage kiosks.")
    if refusal is Refusal.TOO_OLD:
        return _("Given more than %(days)d days before it could be sent: too old to be counted.",
                 days=int(current_app.config["KIOSK_QUEUE_MAX_AGE_DAYS"]))
    if refusal is Refusal.UNKNOWN_VERSION:
        return _("Given on a version of the questionnaire that this server does not know.")
    if refusal is Refusal.KEY_IN_USE:
        return _("Its key belongs to another answer already stored.")
    return _("Not a valid answer to the questionnaire: %(problems)s", problems="; ".join(problems))


def _when(value) -> datetime | None:
    """An ISO 8601 time with its offset (the kiosk's ``toISOString()``); None for anything else."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def _read_answer(raw) -> QueuedAnswer:
    """One answer of the queue as the kiosk sent it; a malformed one is refused as invalid, and
    one without a usable key cannot be answered at all (400)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("key"), str) or not SUBMISSION_KEY.match(raw["key"]):
        abort(400)
    key = raw["key"]
    given_at = _when(raw.get("given_at"))
    catalog = current_app.extensions["survey_catalog"]
    questionnaire_id, content_hash = raw.get("questionnaire"), raw.get("hash")
    q = (catalog.version(questionnaire_id, content_hash)
         if isinstance(questionnaire_id, str) and isinstance(content_hash, str) else None)
    language = raw.get("language") if isinstance(raw.get("language"), str) else ""
    fields = raw.get("fields")
    unread = QueuedAnswer(key=key, given_at=given_at or _now(), started_at=None, questionnaire=q,
                          language=language, submission=None)
    if given_at is None:
        return replace(unread, problems=("given_at: not an ISO 8601 time with its offset",))
    if q is None:
        return unread
    if language not in q.languages:
        return replace(unread, problems=(f"language: {language} is not one of {q.id}'s",))
    if not isinstance(fields, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair) for pair in fields):
        return replace(unread, problems=("fields: a list of [name, value] pairs",))
    submission, problems = _submission(q, language, key, fields)
    return QueuedAnswer(key=key, given_at=given_at, started_at=_when(raw.get("started_at")), questionnaire=q,
                        language=language, submission=submission, problems=problems)


def _submission(q: Questionnaire, language: str, key: str, fields: list[list[str]]):
    """What the kiosk's form said, read as the kiosk's own page reads a post: the quick reading
    of a plain valid form, else the full form with its problems."""
    posted = MultiDict([(name, value) for name, value in fields if name not in NOT_ANSWERS])
    submission = plain_submission(q, posted.getlist)
    if submission is not None:
        return submission, ()
    posted["submission_key"] = key
    form = survey_form(q, language)(formdata=posted, meta={"csrf": False})
    if form.validate():
        return form.to_submission(), ()
    problems = [*form.form_errors, *(f"{name}: {error}" for name, errors in form.errors.items() if name
                                     for error in errors)]
    return None, tuple(problems)

