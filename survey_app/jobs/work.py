"""The work of background jobs: plain functions of plain arguments, run by an RQ worker or a
thread of the web process (jobs/dispatch.py).

Each opens its own app context (so its own database session), claims its job, makes the file
and hands it to services.jobs, which keeps it for download. A failure is recorded on the job,
so that the reader's page says so; the error itself goes to the log, not to the page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context

from survey_app.domain.audit import AuditAction
from survey_app.domain.invitation import DossierChannel, expiry, last_valid_day
from survey_app.domain.periods import Period
from survey_app.extensions import db
from survey_app.jobs.dispatch import job_times, jobs_directory, kept_files
from survey_app.models import Unit, User
from survey_app.services import audit, jobs
from survey_app.services.jobs import Failure

_worker_app: Flask | None = None
# What the view puts in place of a token in the survey address it hands over (a slip's link
# and QR code); a job knows no request and imports nothing of web/.
TOKEN_SLOT = "TOKEN"


def make_slips(*, job_id: int, unit_id: int, count: int, procedure: str | None, user_id: int,
               valid_days: int, survey_address: str) -> None:
    """A sheet of ``count`` invitation slips of a unit; ``survey_address`` is an invitation's
    survey address as the request would print it, with TOKEN_SLOT where its token goes."""

    def make(step: Callable[[int], None]) -> bytes:
        from survey_app.reports.slips import slips_pdf
        from survey_app.services.invitations import issue_invitations
        from survey_app.services.secrets import new_secret

        app = current_app._get_current_object()
        now = _now()
        tz = ZoneInfo(app.config["TIMEZONE"])
        unit = db.session.get(Unit, unit_id)
        # The sheet is made first, the invitations stored after it, with the finished job: no
        # write transaction stays open while it renders (on SQLite it would hold every writer,
        # citizens' answers included), and a sheet that could not be made leaves no invitation.
        tokens = [new_secret() for _ in range(count)]
        last_day = last_valid_day(expiry(now.astimezone(tz).date(), valid_days, tz), tz)
        before, _slot, after = survey_address.rpartition(TOKEN_SLOT)  # the token is the address's last part
        urls = [f"{before}{token}{after}" for token in tokens]
        pdf = slips_pdf(unit_name=unit.name, procedure=procedure, expires=f"{last_day:%d/%m/%Y}", urls=urls)
        issue_invitations(db.session, unit=unit, count=count, now=now, procedure=procedure,
                          channel=DossierChannel.DIRECT, valid_days=valid_days, tz=tz, tokens=tokens)
        audit.record(db.session, db.session.get(User, user_id), AuditAction.SLIPS_PRINT, unit, count=count,
                     procedure=procedure)
        return pdf

    _run(job_id, make)


def make_report(*, job_id: int, kind: str, questionnaire_id: str, start: str, end: str, tz: str,
                unit_code: str | None, lang: str, min_ranked: int, min_breakdown: int, user_id: int,
                ranking_channels: list[str] | None = None) -> None:
    """The report of a period (``kind`` report_pdf or report_xlsx), exactly as the request that
    asked for it would have made it: the same query, scope and language. The audit log records
    it as downloaded by ``user_id`` once it is made (with the file, or not at all)."""

    def make(step: Callable[[int], None]) -> bytes:
        from survey_app.reports.report_files import report_file
        from survey_app.services.figures import FiguresQuery
        from survey_app.services.units import unit_by_code

        questionnaire = current_app.extensions["survey_catalog"].get(questionnaire_id)
        period = Period(date.fromisoformat(start), date.fromisoformat(end))
        query = FiguresQuery(questionnaire=questionnaire, period=period, tz=ZoneInfo(tz), min_ranked=min_ranked,
                             unit_code=unit_code, min_breakdown=min_breakdown,
                             ranking_channels=tuple(ranking_channels) if ranking_channels else None)
        # The one path of the report command too (reports/report_files.py).
        data = report_file(db.session, query, kind=kind.removeprefix("report_"), lang=lang, progress=step).data
        audit.record(db.session, db.session.get(User, user_id), AuditAction.REPORT_DOWNLOAD,
                     unit_by_code(db.session, unit_code) if unit_code else None,
                     format=kind.removeprefix("report_"), lang=lang, questionnaire=questionnaire_id, start=start,
                     end=end)
        return data

    _run(job_id, make)


def job_app() -> Flask:
    """The app of the context the work runs in (a web process's thread, ``flask jobs worker``),
    else one made from the settings (a plain ``rq worker``)."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from survey_app import create_app

        _worker_app = create_app()
    return _worker_app


def _run(job_id: int, make: Callable[[Callable[[int], None]], bytes]) -> None:
    from rq.timeouts import JobTimeoutException
    from weasyprint.urls import FatalURLFetchingError

    from survey_app.reports.pdf import PdfError

    app = job_app()
    with app.app_context():
        if not jobs.claim(db.session, job_id, _now()):
            db.session.rollback()  # given up, or made by another runner
            return
        db.session.commit()

        def step(percent: int) -> None:
            jobs.progress(db.session, job_id, percent)
            db.session.commit()

        try:
            data = make(step)
            if jobs.finish(db.session, job_id, data, jobs_directory(app), _now(), job_times(app).keep,
                           kept_files(app)):
                db.session.commit()
            else:
                db.session.rollback()
        # FatalURLFetchingError is a BaseException, as are an interrupt and a worker's exit:
        # each is recorded, so that the reader is not left waiting for the timeout.
        except BaseException as exc:
            db.session.rollback()
            app.logger.exception("background job %s failed", job_id)
            failure = (Failure.PDF if isinstance(exc, PdfError | FatalURLFetchingError)
                       else Failure.TIMEOUT if isinstance(exc, JobTimeoutException) else Failure.ERROR)
            jobs.fail(db.session, job_id, failure, _now())
            db.session.commit()
            if not isinstance(exc, Exception | FatalURLFetchingError):
                raise


def _now() -> datetime:
    return datetime.now(timezone.utc)
