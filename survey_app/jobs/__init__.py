"""Background jobs: slip sheets over one page and report files, made outside the request.

- ``work.py``: the work itself, plain functions of plain arguments (ids, dates, codes) that
  open their own app context; what RQ stores is their import path and those arguments.
- ``dispatch.py``: hands a job to RQ on Redis when ``JOBS_REDIS_URL`` is set (run
  ``flask --app survey_app jobs worker``), else to a thread of the web process.

Job state and files are shared (the database and ``JOBS_DIR``), never process memory: the
progress page may be served by another web worker than the one that started the job.
The rules of state and expiry are in ``services/jobs.py``; the pages in ``web/jobs.py``.
"""
