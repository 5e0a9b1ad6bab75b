"""Where a job runs: RQ on Redis when ``JOBS_REDIS_URL`` is set, else a thread of this process.

The thread pool is the embedded default: a web worker answers its next requests while its
thread makes the file (CPU shared, nothing blocked), and a restart of the worker loses the job,
which then fails by its timeout (services.jobs.give_up_stale) and is asked for again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
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
                                       description=f"{work.__name__} job {job_id}")
        except RedisError:
            app.logger.exception("background job %s could not be queued", job_id)
            return False
        return True
    _pool(app).submit(_in_app_context, app, work, job_id, arguments)
    return True


def _pool(app: Flask) -> ThreadPoolExecutor:
    with _pool_lock:
        pool = app.extensions.get(_POOL_KEY)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=app.config["JOBS_THREADS"], thread_name_prefix="survey-job")
            app.extensions[_POOL_KEY] = pool
        return pool


def wait_for_job_threads(app: Flask) -> None:
    """Let this app's threads finish their jobs, and start no more (tests, before emptying tables)."""
    with _pool_lock:
        pool = app.extensions.pop(_POOL_KEY, None)
    if pool is not None:
        pool.shutdown(wait=True)


def _in_app_context(app: Flask, work: Callable[..., None], job_id: int, arguments: dict) -> None:
    # The work opens its own context of the app it finds here; a future would swallow an error.
    try:
        with app.app_context():
            work(job_id=job_id, **arguments)
    except Exception:
        app.logger.exception("background job %s ended with an error", job_id)
