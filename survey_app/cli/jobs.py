"""``flask --app survey_app jobs worker`` and ``jobs purge``: background jobs (survey_app/jobs/)."""

from __future__ import annotations

from datetime import datetime, timezone

import click
from flask import current_app
from flask.cli import AppGroup

from survey_app.extensions import db
from survey_app.jobs.dispatch import job_times, jobs_directory, lost_jobs, rq_queue, uses_redis
from survey_app.services import jobs
from survey_app.services.case_upkeep import UpkeepDone, keep_cases
from survey_app.services.cases import CaseRules

jobs_cli = AppGroup("jobs", help="Background jobs: slip sheets and report files.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty (tests, cron).")
def worker(burst: bool) -> None:
    """Make the files queued on JOBS_REDIS_URL (queue JOBS_QUEUE), one at a time, until stopped."""
    from rq import Worker

    if not uses_redis(current_app):
        raise click.ClickException("JOBS_REDIS_URL is not set: the web processes make the files themselves")
    queue = rq_queue(current_app)
    _purge()
    # Each job is made by a fork of this process (RQ's work horse) while this one watches it and
    # heartbeats every JOBS_HEARTBEAT_SECONDS: a job whose worker stops beating (killed, its
    # machine gone) is failed at once (jobs/dispatch.py lost_jobs), a horse that dies is failed
    # by its worker. What the files need is imported here, once, and every fork shares it; the
    # database pool is emptied, so that no fork inherits this process's connections.
    import survey_app.reports.report_files  # noqa: F401
    import survey_app.reports.slips  # noqa: F401

    db.engine.dispose()
    Worker([queue], connection=queue.connection,
           job_monitoring_interval=current_app.config["JOBS_HEARTBEAT_SECONDS"]).work(burst=burst, logging_level="INFO")


@jobs_cli.command("purge")
def purge() -> None:
    """Delete the files past JOBS_KEEP_HOURS and give up jobs past JOBS_TIMEOUT_SECONDS; keep
    cases (escalate the overdue, close the unrated, delete old contacts); cron runs it."""
    deleted, given_up, cases = _purge()
    click.echo(f"{deleted} expired files deleted, {given_up} unfinished jobs given up")
    click.echo(f"cases: {cases.escalated} escalated, {cases.closed} closed unrated, "
               f"{cases.contacts_deleted} contacts deleted, {cases.dropped} unconfirmed requests dropped")


def _purge() -> tuple[int, int, UpkeepDone]:
    now = datetime.now(timezone.utc)
    given_up = jobs.give_up_stale(db.session, now, job_times(current_app))
    given_up += jobs.give_up_lost(db.session, lost_jobs(current_app, jobs.running_ids(db.session), now), now)
    deleted = jobs.purge_expired(db.session, jobs_directory(current_app), now)
    from survey_app.jobs.case_notices import CaseNotices  # the outbox, only when used

    cases = keep_cases(db.session, now, CaseRules.from_config(current_app.config), CaseNotices(db.session))
    db.session.commit()
    return deleted, given_up, cases
