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
    # How many quarters a unit's page draws in its trend.
    TREND_QUARTERS = 8
    # How many citizens' comments a unit's page shows at a time (the rest on the next pages).
    COMMENTS_PER_PAGE = 20
    # The early warning (docs/indices.md, "Early warning"): a week with fewer respondents does
    # not move a unit's chart; lambda and L were chosen by simulation (bench/bench_alerts.py).
    ALERT_MIN_WEEKLY_RESPONSES = 5
    ALERT_EWMA_LAMBDA = 0.2
    ALERT_EWMA_WIDTH = 2.4
    ALERT_WINDOW_WEEKS = 26
    ALERT_BASELINE_WEEKS = 26
    ALERT_MIN_BASELINE_WEEKS = 4
    # A subscribed report up to this size is attached to its e-mail; a bigger one is a sign-in link.
    REPORT_ATTACH_MAX_BYTES = 5_000_000
    # The channels a unit's rank is computed on (its shown index and n stay every channel's);
    # None: every channel. A province may rank on invitations, kiosks and paper only, which
    # a script posting to an open link cannot fill: ["invitation", "kiosk", "paper"].
    RANKING_CHANNELS = None
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    # A survey form is small; anything bigger is not a citizen's answer.
    MAX_CONTENT_LENGTH = 64 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a citizen may take a while; the token is still bound to the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # hide_parameters: a database error's message (logged) carries its statement's values,
    # a citizen's comment among them, unmasked; the statement alone is enough to debug.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
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
    # Offline kiosks (services/kiosk_queue.py, static/kiosk_queue.js): at most KIOSK_QUEUE_MAX
    # answers wait on a kiosk (then it says it is offline and stops offering the survey); an
    # answer given more than KIOSK_QUEUE_MAX_AGE_DAYS before it reaches the server is refused,
    # with its reason shown to staff on the kiosk; a kiosk with answers waiting tries to send
    # them every KIOSK_SYNC_SECONDS, besides when the network returns and on every start screen.
    KIOSK_QUEUE_MAX = 500
    KIOSK_QUEUE_MAX_AGE_DAYS = 14
    KIOSK_SYNC_SECONDS = 60
    # Sync requests per kiosk (each up to 8 answers; only those with the kiosk's key count).
    KIOSK_SYNC_RATE_LIMIT = "60 per minute"
    # Submissions per kiosk (posts with the kiosk's key); a person needs a minute or more for one survey.
    KIOSK_RATE_LIMIT = "20 per minute"
    # Sign-in attempts per client address; an office where many staff share one address may raise it.
    LOGIN_RATE_LIMIT = "10 per minute"
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
    # At least: a rush of 30 people on a one-stop shop's Wi-Fi within an hour, on a quiet unit
    # (tests/web/public/test_open_link_stuffing.py), while 90 posts in three hours are flagged.
    INTEGRITY_VOLUME_MIN = 45
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
    # The RQ worker's heartbeat while it makes a file, in seconds; a running job whose worker
    # missed three (killed, its machine gone) is failed at once rather than at its timeout.
    JOBS_HEARTBEAT_SECONDS = 15
    # Finished files kept per account, at most (a new one deletes that account's oldest): so
    # many, and so many bytes together.
    JOBS_MAX_KEPT_FILES = 20
    JOBS_MAX_KEPT_BYTES = 200 * 1024 * 1024
    # Cases (a citizen's reply request, services/cases.py): deadlines in working days (weekends,
    # Vietnam's public holidays and CASE_DAYS_OFF, a list of "YYYY-MM-DD", not counted); an
    # answered case closes CASE_CLOSE_DAYS after the answer unless rated first; its contact is
    # deleted CASE_CONTACT_KEEP_DAYS after closing; an e-mail contact confirms within
    # CASE_CONFIRM_HOURS or the request is dropped, unseen.
    CASE_ACKNOWLEDGE_DAYS = 1
    CASE_ANSWER_DAYS = 10
    CASE_CLOSE_DAYS = 14
    CASE_CONTACT_KEEP_DAYS = 90
    CASE_CONFIRM_HOURS = 48
    CASE_DAYS_OFF = ()
    # Outgoing messages (services/outbox.py): every e-mail and SMS is queued in the database with
    # its cause and sent by the background jobs, or by `flask outbox send` from cron. A failed
    # try is repeated after 1, 4, 16... minutes (OUTBOX_RETRY_SECONDS times 4 each time) up to
    # OUTBOX_MAX_ATTEMPTS tries; a message left "sending" OUTBOX_SENDING_TIMEOUT_SECONDS (its
    # sender died) is failed, never sent twice. Finished rows are deleted after OUTBOX_KEEP_DAYS.
    OUTBOX_MAX_ATTEMPTS = 6
    OUTBOX_RETRY_SECONDS = 60
    OUTBOX_SENDING_TIMEOUT_SECONDS = 600
    OUTBOX_KEEP_DAYS = 180
    # Start a send as soon as a transaction that queued a message commits (else cron alone sends).
    OUTBOX_SEND_ON_COMMIT = True
    # The Fernet keys that encrypt contacts at rest (domain/contact_cipher.py), never stored in the
    # database: a list (or comma-separated), the first encrypts. When unset, instance/contact_key
    # is made once per installation; back it up apart from the database.
    CONTACT_KEYS = None
    # E-mail through Flask-Mailman, under the names it reads. `file` (the embedded default)
    # writes each message as an .eml file in MAIL_FILE_PATH (default instance/outbox) and logs
    # its path; production sets `smtp` and the server (docs/deploy.md); `console` prints them.
    MAIL_BACKEND = "file"
    MAIL_FILE_PATH = None
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "survey_app@localhost"
    MAIL_TIMEOUT = 10
    # SMS through a brand-name SMS gateway over HTTP (messaging/sms.py), off while
    # SMS_GATEWAY_URL is unset. SMS_PROVIDER names the request's shape: `esms` (eSMS.vn's
    # SendMultipleMessage_V4_post_json) or `speedsms` (SpeedSMS's /sms/send). The keys come from
    # the environment (SURVEY_APP_SMS_API_KEY, SURVEY_APP_SMS_SECRET_KEY). SMS_UNICODE false
    # sends Vietnamese without diacritics (one 160-character part instead of 70).
    SMS_GATEWAY_URL = None
    SMS_PROVIDER = "esms"
    SMS_API_KEY = None
    SMS_SECRET_KEY = None
    SMS_BRANDNAME = None
    SMS_TYPE = 2
    SMS_UNICODE = False
    SMS_TIMEOUT = 10


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
    if not app.config.get("CONTACT_KEYS"):
        app.config["CONTACT_KEYS"] = _instance_secret_key(instance / "contact_key", make=_fernet_key)
    app.config["MAIL_FILE_PATH"] = app.config.get("MAIL_FILE_PATH") or str(instance / "outbox")


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def _instance_secret_key(path: Path, make=lambda: secrets.token_hex(32)) -> str:
    """A random key made once per installation, so sessions survive restarts without setup."""
    if not path.exists():
        # Write aside, then link into place: two workers starting together must end up
        # agreeing on one key, and neither may read a half-written file.
        candidate = path.with_name(f"{path.name}.{os.getpid()}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()
