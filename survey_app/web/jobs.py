"""Files made by background jobs (survey_app/jobs/): ``start_job`` for the views that ask for
one, then ``/jobs/<token>`` (a page that follows its progress by itself, a meta refresh: no
script) and ``/jobs/<token>/file``.

A job is shown only to an account with the permission its file needs over the unit it covers
(who asked, or a colleague with the same rights); anyone else, like a token that does not
exist, gets a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from survey_app import UI_LANGUAGES
from survey_app.domain.permissions import Action, covers_all_units
from survey_app.extensions import db
from survey_app.jobs.dispatch import job_times, jobs_directory, lost_jobs, submit
from survey_app.models import BackgroundJob, Unit
from survey_app.services import jobs
from survey_app.services.accounts import in_scope
from survey_app.services.jobs import Failure, State
from survey_app.web.auth import current_user_may
from survey_app.web.errors import error_page

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

PERMISSION = {"slips": Action.PRINT, "report_pdf": Action.VIEW_REPORTS, "report_xlsx": Action.VIEW_REPORTS}
MIMETYPES = {"slips": "application/pdf", "report_pdf": "application/pdf",
             "report_xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Seconds between two looks at a job that is not done.
REFRESH_SECONDS = 2


def start_job(kind: str, *, unit: Unit | None, work: Callable[..., None], arguments: dict, download_name: str):
    """Queue ``work(job_id=..., **arguments)`` for the signed-in account and send them to its
    page; refused while they have JOBS_MAX_UNFINISHED jobs not done (each holds a CPU)."""
    now = _now()
    times = job_times(current_app)
    jobs.give_up_stale(db.session, now, times)
    # A job whose worker was killed holds no CPU any more: it does not count against the limit.
    jobs.give_up_lost(db.session, lost_jobs(current_app, jobs.running_ids(db.session, current_user.id), now), now)
    jobs.purge_expired(db.session, jobs_directory(current_app), now)
    db.session.commit()
    limit = current_app.config["JOBS_MAX_UNFINISHED"]
    if jobs.unfinished_count(db.session, current_user.id) >= limit:
        return error_page(429, _("You already have %(count)d files being prepared. Please wait until one of "
                                 "them is ready, then ask again.", count=limit))
    job, token = jobs.new_job(db.session, kind=kind, user_id=current_user.id, unit_id=unit.id if unit else None,
                              arguments=arguments, download_name=download_name, now=now)
    db.session.commit()
    # The app itself, not the proxy to this request's: the job outlives the request.
    if not submit(current_app._get_current_object(), work, job.id, arguments):
        jobs.fail(db.session, job.id, Failure.QUEUE, _now())
        db.session.commit()
    return redirect(url_for("jobs.progress", token=token, lang=_ui_language()), code=303)


@bp.get("/<token>")
@login_required
def progress(token: str):
    job = _visible_job(token)
    now = _now()
    # Shown failed as soon as its worker is seen dead; recorded by the next request for a file
    # (a POST) or cron's purge, since a GET writes nothing.
    lost = job.state == State.RUNNING and job.id in lost_jobs(current_app, [job.id], now)
    if lost:
        db.session.refresh(job)  # it may have finished meanwhile (lost_jobs)
    state = jobs.shown_state(job, now, job_times(current_app), lost)
    if state == State.EXPIRED and job.file_name:  # its time is up: gone now, not at the next purge
        jobs.purge_expired(db.session, jobs_directory(current_app), now)
        db.session.commit()
    file_url = url_for(".download", token=token, lang=_ui_language())
    expires = format_datetime(job.expires_at.astimezone(ZoneInfo(current_app.config["TIMEZONE"])), "short") \
        if job.expires_at else None
    page = render_template("jobs/progress.html", job=job, state=state.value, file_url=file_url, expires=expires,
                           failure=jobs.shown_failure(job, now, job_times(current_app), lost), back=_back(job),
                           refresh=REFRESH_SECONDS, keep_hours=current_app.config["JOBS_KEEP_HOURS"])
    response = current_app.make_response((page, 410 if state == State.EXPIRED else 200))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<token>/file")
@login_required
def download(token: str):
    job = _visible_job(token)
    state = jobs.shown_state(job, _now(), job_times(current_app))
    path = jobs.file_path(job, jobs_directory(current_app))
    if state != State.DONE or path is None or not path.is_file():
        # Not ready, failed or expired: its page says which.
        return redirect(url_for(".progress", token=token, lang=_ui_language()))
    response = send_file(path, mimetype=MIMETYPES[job.kind], as_attachment=True, download_name=job.download_name)
    # Live invitation links, comments and per-unit figures: no copy in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _visible_job(token: str) -> BackgroundJob:
    job = jobs.job_by_token(db.session, token) if token.isascii() and len(token) <= 64 else None
    if job is None or not current_user_may(PERMISSION[job.kind]) or not _covers(job.unit_id):
        abort(404)
    return job


def _covers(unit_id: int | None) -> bool:
    if unit_id is None:  # every unit: only for those whose scope is the whole tree
        return current_user.unit_id is None and covers_all_units(current_user.role)
    unit = db.session.get(Unit, unit_id)
    return unit is not None and in_scope(db.session, current_user, unit)


def _back(job: BackgroundJob) -> str:
    """The page the file was asked from."""
    if job.kind == "slips":
        return url_for("staff.slips", lang=_ui_language())
    arguments = jobs.arguments_of(job)
    return url_for("officers.units", **{"from": arguments["start"], "to": arguments["end"]}, lang=_ui_language())


def _ui_language() -> str | None:
    lang = request.args.get("lang")
    return lang if lang in UI_LANGUAGES else None


def _now() -> datetime:
    return datetime.now(timezone.utc)
