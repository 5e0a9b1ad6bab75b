"""Background jobs: their state, their files and when both end (the rows are models.job).

A job is asked for by a request (``new_job``), made by a plain function elsewhere (an RQ
worker, or a thread of a web process: ``survey_app/jobs/``) which ``claim``s it, may report
``progress``, and ends it with ``finish`` (its file written to the jobs directory) or ``fail``.
Every step is a conditional update, so that a job given up as too slow (``give_up_stale``)
cannot come back to life, and two runners cannot both make it.

A file is kept until ``expires_at`` and then deleted (``purge_expired``); the row stays, so
that its address says "expired" rather than "not found". An account keeps at most so many
files and bytes (``KeptFiles``): a new file pushes its oldest ones out (``finish``).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from survey_app.models.job import BackgroundJob
from survey_app.services.secrets import new_secret, secret_hash

# 24 random bytes, 32 URL-safe characters: an address nobody can guess.
TOKEN_BYTES = 24
SUFFIXES = {"slips": ".pdf", "report_pdf": ".pdf", "report_xlsx": ".xlsx"}


class State(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # shown only: a done job whose file is gone


class Failure(StrEnum):
    ERROR = "error"        # the work raised
    PDF = "pdf"            # WeasyPrint refused to make the PDF
    TIMEOUT = "timeout"    # not done in time, or its process ended (a restart)
    WORKER = "worker"      # its worker stopped mid-way (killed, its machine gone): no heartbeat
    QUEUE = "queue"        # the queue could not be reached


@dataclass(frozen=True)
class JobTimes:
    keep: timedelta      # how long a finished file is kept
    timeout: timedelta   # how long a job may take, waiting included, before it is given up


@dataclass(frozen=True)
class KeptFiles:
    files: int       # at most this many finished files per account...
    size: int        # ...and at most this many bytes together (the newest file is always kept)


def new_job(session: Session, *, kind: str, user_id: int, unit_id: int | None, arguments: dict,
            download_name: str, now: datetime) -> tuple[BackgroundJob, str]:
    """A queued job and the token of its address (the only moment the token exists)."""
    if kind not in SUFFIXES:
        raise ValueError(f"unknown job kind {kind!r}")
    token = new_secret(TOKEN_BYTES)
    job = BackgroundJob(token_hash=secret_hash(token), kind=kind, state=State.QUEUED, progress=0,
                        user_id=user_id, unit_id=unit_id, arguments=_canonical(arguments),
                        download_name=download_name, created_at=now)
    session.add(job)
    session.flush()
    return job, token


def job_by_token(session: Session, token: str) -> BackgroundJob | None:
    return session.scalar(select(BackgroundJob).where(BackgroundJob.token_hash == secret_hash(token)))


def unfinished_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count(BackgroundJob.id)).where(
        BackgroundJob.user_id == user_id, BackgroundJob.state.in_((State.QUEUED, State.RUNNING))))


def claim(session: Session, job_id: int, now: datetime) -> bool:
    """Queued -> running; False if it is not queued any more (given up, or made already)."""
    return _move(session, job_id, State.QUEUED, state=State.RUNNING, started_at=now, progress=1)


def progress(session: Session, job_id: int, percent: int) -> None:
    session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id, BackgroundJob.state == State.RUNNING)
                    .values(progress=max(1, min(99, percent))))


def finish(session: Session, job_id: int, data: bytes, directory: Path, now: datetime, keep: timedelta,
           kept: KeptFiles) -> bool:
    """Write the file, then mark the job done; False (and no file) if it was given up meanwhile.
    The account's oldest files beyond ``kept`` are deleted (their jobs show "expired")."""
    job = session.get(BackgroundJob, job_id)
    name = f"{job_id}-{secrets.token_hex(8)}{SUFFIXES[job.kind]}"
    _write_atomically(directory, name, data)
    if _move(session, job_id, State.RUNNING, state=State.DONE, progress=100, file_name=name,
             finished_at=now, expires_at=now + keep):
        _keep_within(session, job.user_id, directory, kept)
        return True
    (directory / name).unlink(missing_ok=True)
    return False


def _keep_within(session: Session, user_id: int, directory: Path, kept: KeptFiles) -> None:
    """Delete the account's finished files beyond the newest ``kept.files`` of them, or beyond
    ``kept.size`` bytes together; the newest one stays whatever its size."""
    held = session.execute(select(BackgroundJob.id, BackgroundJob.file_name).where(
        BackgroundJob.user_id == user_id, BackgroundJob.file_name.is_not(None))
        .order_by(BackgroundJob.finished_at.desc(), BackgroundJob.id.desc())).all()
    total = 0
    for position, (job_id, file_name) in enumerate(held):
        path = directory / file_name
        total += path.stat().st_size if path.is_file() else 0
        if position > 0 and (position >= kept.files or total > kept.size):
            path.unlink(missing_ok=True)
            session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(file_name=None))


def fail(session: Session, job_id: int, failure: Failure, now: datetime) -> None:
    session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id,
                                                BackgroundJob.state.in_((State.QUEUED, State.RUNNING)))
                    .values(state=State.FAILED, failure=failure, finished_at=now))


def shown_state(job: BackgroundJob, now: datetime, times: JobTimes, runner_lost: bool = False) -> State:
    """What the reader is told; a job past its timeout, or running on a worker that stopped
    (``runner_lost``, jobs/dispatch.py), counts as failed even before it is recorded."""
    if job.state == State.DONE and (job.file_name is None or job.expires_at <= now):
        return State.EXPIRED
    if job.state in (State.QUEUED, State.RUNNING) and job.created_at + times.timeout <= now:
        return State.FAILED
    if job.state == State.RUNNING and runner_lost:
        return State.FAILED
    return State(job.state)


def shown_failure(job: BackgroundJob, now: datetime, times: JobTimes, runner_lost: bool = False) -> Failure | None:
    if job.state == State.FAILED:
        return Failure(job.failure or Failure.ERROR)
    if shown_state(job, now, times, runner_lost) != State.FAILED:
        return None
    # Past its timeout: what give_up_stale records, whatever became of its worker.
    return Failure.TIMEOUT if shown_state(job, now, times) == State.FAILED else Failure.WORKER


def file_path(job: BackgroundJob, directory: Path) -> Path | None:
    return directory / job.file_name if job.file_name else None


def give_up_stale(session: Session, now: datetime, times: JobTimes) -> int:
    """Jobs asked for longer ago than the timeout and not done: their runner died (a restarted
    worker takes its threads with it) or the queue is stuck. Failed for good."""
    result = session.execute(update(BackgroundJob).where(
        BackgroundJob.state.in_((State.QUEUED, State.RUNNING)), BackgroundJob.created_at <= now - times.timeout)
        .values(state=State.FAILED, failure=Failure.TIMEOUT, finished_at=now))
    return result.rowcount


def running_ids(session: Session, user_id: int | None = None) -> list[int]:
    """The jobs being made (of one account, or of all)."""
    query = select(BackgroundJob.id).where(BackgroundJob.state == State.RUNNING)
    if user_id is not None:
        query = query.where(BackgroundJob.user_id == user_id)
    return list(session.scalars(query))


def give_up_lost(session: Session, job_ids: Iterable[int], now: datetime) -> int:
    """Jobs whose worker stopped while making them (jobs/dispatch.py tells which): failed for
    good. Only a job still running is: one finished meanwhile stays done."""
    ids = list(job_ids)
    if not ids:
        return 0
    result = session.execute(update(BackgroundJob).where(BackgroundJob.id.in_(ids),
                                                         BackgroundJob.state == State.RUNNING)
                             .values(state=State.FAILED, failure=Failure.WORKER, finished_at=now))
    return result.rowcount


def purge_expired(session: Session, directory: Path, now: datetime) -> int:
    """Delete the files whose time is up; returns how many."""
    expired = list(session.scalars(select(BackgroundJob).where(
        BackgroundJob.file_name.is_not(None), BackgroundJob.expires_at <= now)))
    for job in expired:
        (directory / job.file_name).unlink(missing_ok=True)
        job.file_name = None
    session.flush()
    return len(expired)


def arguments_of(job: BackgroundJob) -> dict:
    return json.loads(job.arguments)


def _canonical(arguments: dict) -> str:
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"))


def _move(session: Session, job_id: int, from_state: State, **values) -> bool:
    result = session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id,
                                                         BackgroundJob.state == from_state).values(**values))
    return result.rowcount == 1


def _write_atomically(directory: Path, name: str, data: bytes) -> None:
    """Written aside and renamed: a reader on another worker never sees half a file."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = directory / f".{name}.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(partial, directory / name)
