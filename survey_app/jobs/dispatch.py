"""Where a job runs: RQ on Redis when ``JOBS_REDIS_URL`` is set, else a thread of this process.

The thread pool is the embedded default: a web worker answers its next requests while its
thread makes the file (CPU shared, nothing blocked), and a restart of the worker loses the job,
which then fails by its timeout (services.jobs.give_up_stale) and is asked for again. On RQ, a
job whose worker stopped heartbeating is failed within JOBS_HEARTBEAT_SECONDS x 3
(``lost_jobs``), not at its timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import Flask

from survey_app.services.jobs import JobTimes, KeptFiles

_POOL_KEY = "survey_jobs_pool"
_pool_lock = threading.Lock()


def jobs_directory(app: Flask) -> Path:
    return Path(app.config.get("JOBS_DIR") or Path(app.instance_path) / "jobs")


def job_times(app: Flask) -> JobTimes:
    return JobTimes(keep=timedelta(hours=app.config["JOBS_KEEP_HOURS"]),
                    timeout=timedelta(seconds=app.config["JOBS_TIMEOUT_SECONDS"]))


def kept_files(app: Flask) -> KeptFiles:
    return KeptFiles(files=app.config["JOBS_MAX_KEPT_FILES"], size=app.config["JOBS_MAX_KEPT_BYTES"])


def uses_redis(app: Flask) -> bool:
    return bool(app.config.get("JOBS_REDIS_URL"))


def rq_queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(app.config["JOBS_QUEUE"], connection=Redis.from_url(app.config["JOBS_REDIS_URL"]))


def submit(app: Flask, work: Callable[..., None], job_id: int, arguments: dict) -> bool:
    """Hand the job over; False if the queue could not be reached (the job is then failed by
    the caller). The job's row must be committed first: its runner reads it."""
    if uses_redis(app):
        from redis.exceptions import RedisError

        timeout = app.config["JOBS_TIMEOUT_SECONDS"]
        try:
            # ttl: a job still waiting after its timeout is given up anyway; result_ttl=0: the
            # result is the file and its row, nothing is kept in Redis.
            rq_queue(app).enqueue_call(work, kwargs={"job_id": job_id, **arguments}, timeout=timeout,
                                       ttl=timeout, result_ttl=0, failure_ttl=24 * 3600,
                                       description=f"{work.__name__} job {job_id}",
                                       job_id=rq_job_id(app, job_id))
        except RedisError:
            app.logger.exception("background job %s could not be queued", job_id)
            return False
        return True
    _pool(app).submit(_in_app_context, app, work, job_id, arguments)
    return True


def rq_job_id(app: Flask, job_id: int) -> str:
    """The RQ job of a job's row: named after it, so that its worker can be found from the row."""
    return f"{app.config['JOBS_QUEUE']}-{job_id}"


# Heartbeats a worker may miss before its job is given up: one late beat is no death.
MISSED_HEARTBEATS = 3


def lost_jobs(app: Flask, job_ids: Iterable[int], now: datetime) -> set[int]:
    """Of these jobs, which their rows say are running, those whose RQ worker stopped making
    them: its last heartbeat is older than MISSED_HEARTBEATS beats (or its record expired), or
    RQ no longer has the job started (its work horse died and the worker failed it).

    Ask RQ first, then read the row again: a job that finished meanwhile is gone from RQ too
    (result_ttl=0), but its row says done by then, as the row is written before RQ is told.
    Nothing is lost in thread mode (a restart is caught by the timeout), nor when Redis
    cannot be reached (nothing is known)."""
    ids = list(job_ids)
    if not uses_redis(app) or not ids:
        return set()
    from redis.exceptions import RedisError
    from rq.job import Job, JobStatus
    from rq.worker import Worker

    connection = rq_queue(app).connection
    oldest_beat = now - MISSED_HEARTBEATS * timedelta(seconds=app.config["JOBS_HEARTBEAT_SECONDS"])
    lost = set()
    try:
        for job_id, rq_job in zip(ids, Job.fetch_many([rq_job_id(app, i) for i in ids], connection=connection)):
            if rq_job is None or rq_job.get_status(refresh=False) != JobStatus.STARTED or not rq_job.worker_name:
                lost.add(job_id)
                continue
            worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + rq_job.worker_name, connection)
            if worker is None or worker.last_heartbeat is None or worker.last_heartbeat < oldest_beat:
                lost.add(job_id)
    except RedisError:
        app.logger.warning("the job queue could not be reached to look at its workers")
        return set()
    finally:
        connection.close()
    return lost


def run_soon(app: Flask, work: Callable[[], None], description: str) -> bool:
    """Background work that leaves no file and has no job row (the outbox's sending pass): on
    RQ, or on a thread of its own (never behind a report being made); False if Redis could not
    be reached (cron's pass does it later)."""
    if uses_redis(app):
        from redis.exceptions import RedisError

        timeout = app.config["JOBS_TIMEOUT_SECONDS"]
        try:
            rq_queue(app).enqueue_call(work, timeout=timeout, ttl=timeout, result_ttl=0, failure_ttl=24 * 3600,
                                       description=description)
        except RedisError:
            app.logger.warning("%s could not be queued; the next cron pass does it", description)
            return False
        return True
    _pool(app, _TASK_POOL_KEY, 1).submit(_plain_in_app_context, app, work, description)
    return True


_TASK_POOL_KEY = "survey_tasks_pool"
_TIMERS_KEY = "survey_task_timers"


def run_later(app: Flask, at: datetime, work: Callable[[], None], description: str) -> None:
    """``run_soon`` at ``at``, from a timer of this process (thread mode: with RQ the next cron
    pass does it). One timer per description, the earliest asked for; a restart forgets it."""
    with _pool_lock:
        timers = app.extensions.setdefault(_TIMERS_KEY, {})
        current = timers.get(description)
        if current is not None and current.is_alive() and current.due <= at:
            return
        if current is not None:
            current.cancel()
        delay = max(1.0, (at - datetime.now(timezone.utc)).total_seconds())
        timer = threading.Timer(delay, run_soon, args=(app, work, description))
        timer.daemon, timer.due = True, at
        timers[description] = timer
        timer.start()


def _pool(app: Flask, key: str = _POOL_KEY, threads: int | None = None) -> ThreadPoolExecutor:
    with _pool_lock:
        pool = app.extensions.get(key)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=threads or app.config["JOBS_THREADS"],
                                      thread_name_prefix="survey-job")
            app.extensions[key] = pool
        return pool


def wait_for_job_threads(app: Flask) -> None:
    """Let this app's threads finish their jobs, and start no more (tests, before emptying tables)."""
    with _pool_lock:
        timers = app.extensions.pop(_TIMERS_KEY, {})
    for timer in timers.values():
        timer.cancel()
    for key in (_POOL_KEY, _TASK_POOL_KEY):
        with _pool_lock:
            pool = app.extensions.pop(key, None)
        if pool is not None:
            pool.shutdown(wait=True)


def _plain_in_app_context(app: Flask, work: Callable[[], None], description: str) -> None:
    try:
        with app.app_context():
            work()
    except Exception:
        app.logger.exception("%s ended with an error", description)


def _in_app_context(app: Flask, work: Callable[..., None], job_id: int, arguments: dict) -> None:
    # The work opens its own context of the app it finds here; a future would swallow an error.
    try:
        with app.app_context():
            work(job_id=job_id, **arguments)
    except Exception:
        app.logger.exception("background job %s ended with an error", job_id)
