"""Configuration: defaults here, then ``instance/config.py``, then ``SURVEY_APP_*`` variables.

Environment variables win so that one image can be deployed anywhere; e.g.
``SURVEY_APP_DATABASE_URL=postgresql+psycopg://...`` or ``SURVEY_APP_MIN_RANKED_RESPONSES=50``
(values are parsed as JSON when they can be, so numbers and booleans work).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """A top-level folder of the repository (questionnaires, migrations) wherever it is.

    An installed wheel carries a copy inside the package (setup.py); a checkout, editable
    install included, has none and reads the repository's own.
    """
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / name


class Defaults:
    # Where questionnaires live and which one /u/<unit> serves.
    QUESTIONNAIRE_DIR = str(bundled("questionnaires"))
    DEFAULT_QUESTIONNAIRE = "sipas"
    # Periods are cut in the deployment's local time zone; times are stored in UTC.
    TIMEZONE = "Asia/Ho_Chi_Minh"
    # A unit with fewer respondents who rated at least one criterion in a period is shown but not ranked.
    MIN_RANKED_RESPONSES = 30
    # A breakdown cell (one channel, one profile answer) with fewer such respondents shows no
    # index: it would be noise, and a small group may point at a person.
    MIN_BREAKDOWN_RESPONSES = 10
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    # A survey form is small; anything bigger is not a citizen's answer.
    MAX_CONTENT_LENGTH = 64 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a citizen may take a while; the token is still bound to the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Where the rate limiter keeps its counters; memory:// is per process, so production
    # with several workers or servers sets redis://host:6379, where they share the counts.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Starts every counter's key in Redis, so that several apps (or test runs) can share one.
    # Read by the first app of a process only (Flask-Limiter keeps the first non-empty one).
    RATELIMIT_KEY_PREFIX = "survey_app"
    # When Redis cannot be reached, count in each process's memory until it is back (checked
    # again after 1, 2, 4... seconds), and let a request through rather than fail it if even
    # that goes wrong: a citizen's answer is never lost because Redis blinked.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Redis that hangs must not hold a request for long either.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    # Per API key (per client address for requests without a valid key).
    API_RATE_LIMIT = "600 per minute"
    # How long an Idempotency-Key of the API is remembered.
    API_IDEMPOTENCY_HOURS = 24
    # Open links (posters): per client address and unit. A whole office behind one address
    # answering at a normal pace stays well below it.
    OPEN_LINK_RATE_LIMIT = "30 per minute"
    # Open links over human time scales: per source (hashed address) and unit, and per browser
    # (session) and unit: a person does not answer one unit's survey more than a few times an hour.
    OPEN_LINK_SOURCE_HOURLY_LIMIT = "60 per hour"
    OPEN_LINK_BROWSER_LIMIT = "5 per hour"
    # An open link's answer is stored only with the submission key of a page we served, at most
    # this many hours before (its signed time); an older page is sent back with a fresh key.
    OPEN_LINK_PAGE_HOURS = 24
    # How many reverse proxies stand in front of the app and set X-Forwarded-For/-Proto/-Host;
    # 0 trusts none of those headers (a client could forge them).
    TRUSTED_PROXIES = 0
    # Single-use invitations are valid this many days.
    INVITATION_VALID_DAYS = 30
    # The public address printed in QR codes (e.g. https://khaosat.example.gov.vn); when unset,
    # the address the request came in on, whose Host a client chooses: production sets this
    # or TRUSTED_HOSTS.
    PUBLIC_BASE_URL = None
    # The host names the app answers (Flask 3.1), e.g. ["khaosat.example.gov.vn"]; a request
    # for any other Host gets a 400. None accepts any.
    TRUSTED_HOSTS = None
    # A kiosk clears every partial answer after this many seconds without a touch.
    KIOSK_IDLE_SECONDS = 90
    # The thank-you screen of a kiosk returns to the start after this many seconds.
    KIOSK_THANKS_SECONDS = 10
    # Integrity (domain/integrity.py): responses that look made up are kept, but left out of
    # the indices until an officer restores them. A burst: more than KIOSK_BURST_COUNT
    # submissions on one kiosk, or more than LINK_BURST_COUNT on one unit's open link, within
    # BURST_SECONDS (people queueing at one screen cannot answer that fast).
    INTEGRITY_BURST_SECONDS = 60
    INTEGRITY_KIOSK_BURST_COUNT = 4
    INTEGRITY_LINK_BURST_COUNT = 20
    # Every criterion given the same answer in fewer seconds than this since the form was served.
    INTEGRITY_FAST_SECONDS = 15
    # More than REPEAT_COUNT identical submissions from one unit and channel (one kiosk)
    # within REPEAT_SECONDS.
    INTEGRITY_REPEAT_COUNT = 4
    INTEGRITY_REPEAT_SECONDS = 600
    # Open links: a unit's answers within VOLUME_HOURS beyond VOLUME_FACTOR times its usual number
    # in that time (its counted open-link answers of the VOLUME_HISTORY_DAYS before the day), and
    # beyond VOLUME_MIN, or beyond its dossiers in that time (imported volumes), are flagged.
    INTEGRITY_VOLUME_HOURS = 24
    INTEGRITY_VOLUME_HISTORY_DAYS = 28
    INTEGRITY_VOLUME_FACTOR = 3
    INTEGRITY_VOLUME_MIN = 30
    # Background jobs (slip sheets over one page, report files; survey_app/jobs/): queued on RQ
    # for `flask jobs worker` when JOBS_REDIS_URL is set (redis://host:6379/0), else made by
    # JOBS_THREADS threads of each web process. Files are kept JOBS_KEEP_HOURS in JOBS_DIR
    # (default: instance/jobs), shared by every web worker; a job not done JOBS_TIMEOUT_SECONDS
    # after it was asked for (a restart took it) is failed. JOBS_MAX_UNFINISHED per account.
    JOBS_REDIS_URL = None
    JOBS_QUEUE = "survey_app"
    JOBS_DIR = None
    JOBS_KEEP_HOURS = 24
    JOBS_TIMEOUT_SECONDS = 900
    JOBS_THREADS = 1
    JOBS_MAX_UNFINISHED = 3


def configure(app: Flask, test_config: dict | None = None) -> None:
    """Fill ``app.config``; shared by the app factory and commands that must run without one."""
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("SURVEY_APP")
    else:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    database_url = app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'survey_app.sqlite'}"
    app.config["DATABASE_URL"] = database_url
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance / "secret_key")


def _instance_secret_key(path: Path) -> str:
    """A random key made once per installation, so sessions survive restarts without setup."""
    if not path.exists():
        # Write aside, then link into place: two workers starting together must end up
        # agreeing on one key, and neither may read a half-written file.
        candidate = path.with_name(f"{path.name}.{os.getpid()}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()
