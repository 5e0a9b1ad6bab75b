"""The kiosk: the survey made for a touch screen at the counter, ``/k/<kiosk id>?key=``.

It works as one plain form; its JavaScript (static/kiosk.js, no inline script) only shows one
element per screen, and clears every partial answer after KIOSK_IDLE_SECONDS without a touch.
The server never depends on it. Every kiosk submission records channel "kiosk" and the kiosk;
submissions are rate-limited per kiosk, never per address (a kiosk's network may be shared).
Staff register and revoke kiosks in ``web/staff/kiosks.py``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from survey_app.domain.submission import Channel
from survey_app.extensions import csrf, db, limiter
from survey_app.models import Kiosk
from survey_app.services.kiosks import kiosk_for
from survey_app.web.public.answering import (
    read_posted_form,
    requested_questionnaire,
    store_posted,
    survey_language,
)
from survey_app.web.public.survey_page import render_survey_page

bp = Blueprint("kiosk", __name__)

# Answers per sync request (web/public/kiosk_sync.py): a full SIPAS answer with the longest
# comment is some 7 kB, and a request may hold MAX_CONTENT_LENGTH (64 kB).
SYNC_BATCH = 8


def _kiosk_limit() -> str:
    return current_app.config["KIOSK_RATE_LIMIT"]


def _kiosk_limit_key() -> str:
    """Per kiosk: every kiosk of an office may share one address."""
    return f"kiosk:{(request.view_args or {}).get('public_id', '')}"


def counts_against_the_kiosk(response) -> bool:
    """Only a post that opened the kiosk (its key was right) uses up the kiosk's limit: else
    anyone could lock a kiosk out with key-less posts to its address (issue 16)."""
    return response.status_code != 403


def _too_many_message() -> str:
    return _("This kiosk received many answers in a short time. Please wait a minute and try again.")


def _open_kiosk(public_id: str) -> Kiosk:
    kiosk = kiosk_for(db.session, public_id, request.args.get("key"))
    if kiosk is None:
        abort(403, description=_(
            "This kiosk is not registered, or no longer. Please tell the staff at the counter."))
    return kiosk


def _start_url(public_id: str) -> str:
    """The first screen for the next citizen: the kiosk's questionnaire, its default language."""
    return url_for(".survey", public_id=public_id, key=request.args.get("key"), q=request.args.get("q"))


def offline_context(public_id: str, q) -> dict:
    """What the kiosk's scripts need to keep working offline (static/kiosk_offline.js): the
    pages its service worker keeps (the survey and thank-you screens in each language, and the
    start), where to send its queue, and its limits."""
    key, questionnaire = request.args.get("key"), request.args.get("q")
    # Named in full: error pages (web/errors.py) call this outside the kiosk's views too.
    keep = [url_for("kiosk.survey", public_id=public_id, key=key, q=questionnaire)]
    for code in q.languages:
        keep.append(url_for("kiosk.survey", public_id=public_id, key=key, q=questionnaire, lang=code))
        keep.append(url_for("kiosk.thanks", public_id=public_id, key=key, q=questionnaire, lang=code))
    config = current_app.config
    return {"kiosk_id": public_id, "keep_urls": keep,
            "sync_url": url_for("kiosk.sync", public_id=public_id),
            "worker_url": url_for("kiosk.service_worker"),
            "queue_max": int(config["KIOSK_QUEUE_MAX"]), "sync_seconds": int(config["KIOSK_SYNC_SECONDS"]),
            "sync_batch": SYNC_BATCH}


def _thanks_seconds() -> int:
    return int(current_app.config["KIOSK_THANKS_SECONDS"])


@bp.after_request
def _private(response):
    # Nothing of one citizen's page may come back for the next (back button, bfcache), and
    # the key in the address must not leak to another site.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/k/<public_id>", methods=["GET", "POST"])
@limiter.limit(_kiosk_limit, key_func=_kiosk_limit_key, methods=["POST"],
               deduct_when=counts_against_the_kiosk, error_message=_too_many_message)
def survey(public_id: str):
    kiosk = _open_kiosk(public_id)
    q = requested_questionnaire()
    language = survey_language(q)
    form = None
    if request.method == "POST":
        posted = read_posted_form(q, language)
        form = posted.form
        if posted.submission is not None:
            store_posted(posted, unit=kiosk.unit, questionnaire=q, locale=language, channel=Channel.KIOSK,
                         kiosk_id=kiosk.id)
            return redirect(url_for(".thanks", public_id=public_id, key=request.args.get("key"),
                                    q=request.args.get("q"), lang=language))
    return render_survey_page(
        "kiosk/form.html", "kiosk/_form_questions.html", q=q, language=language, form=form,
        unit_name=kiosk.unit.name, start_url=_start_url(public_id),
        idle_seconds=int(current_app.config["KIOSK_IDLE_SECONDS"]),
        thanks_url=url_for(".thanks", public_id=public_id, key=request.args.get("key"),
                           q=request.args.get("q"), lang=language),
        offline=offline_context(public_id, q),
    )


# The survey form checks its own CSRF token, as on open links: a kiosk whose session cookie
# was cleared shows the answers again with a message, instead of a bare 400 page.
csrf.exempt(survey)


@bp.get("/k/<public_id>/thanks")
def thanks(public_id: str):
    kiosk = _open_kiosk(public_id)
    q = requested_questionnaire()
    return render_template(
        "kiosk/message.html", q=q, unit_name=kiosk.unit.name, language=survey_language(q),
        title=_("Thank you"),
        message=_("Your answers have been recorded. They help %(unit)s serve citizens better.",
                  unit=kiosk.unit.name),
        start_url=_start_url(public_id), return_seconds=_thanks_seconds(),
        offline=offline_context(public_id, q),
        reply_url=url_for("replies.kiosk_reply", public_id=public_id, key=request.args.get("key"), q=request.args.get("q")),
    )
