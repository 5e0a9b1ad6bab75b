"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py 'survey_app:create_app()'``.

Sync workers behind a buffering reverse proxy (docs/deploy.md): nginx reads a slow client's
whole request before passing it on, so a worker is busy only while the app computes. Sync
workers are never exposed directly: two clients trickling a few bytes of their body would hold
two workers for the whole ``timeout``. Anything here can be overridden on the command line
(``--workers 3``) or in ``GUNICORN_CMD_ARGS``.
"""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

# Only the proxy on this machine talks to gunicorn; never 0.0.0.0.
bind = os.environ.get("SURVEY_APP_BIND", "127.0.0.1:8000")

# A sync worker handles one request at a time. Most requests wait a few milliseconds on the
# database, so two workers per core (plus one) keep the cores busy while others wait, and
# the spare ones keep the survey answering while an officer's page over a whole province
# computes. Report files are made by background jobs (README), which without Redis run in a
# thread of these same processes. WEB_CONCURRENCY sets another number.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# Report files are background jobs, so no request should come near this: a worker that does
# is stuck and is restarted.
timeout = 120
graceful_timeout = 30
# The app is built once, in the master, and every worker is a fork of it: a worker starts in
# milliseconds instead of the seconds that importing and building the app take, and the
# imported code is shared between workers. Nothing in create_app() opens a connection or a
# thread (database pools, Redis clients and the job threads start at first use, in a worker).
preload_app = True
# Restart each worker now and then, so that a slow leak (fonts, matplotlib) never piles up;
# rarely, because a restarted worker loses what it keeps (an open link's fresh pages) and
# under load 2,000 requests were a few seconds (issue 16).
max_requests = 100_000
max_requests_jitter = 10_000

# No control socket: nothing needs gunicornc, and it would be one more way in.
control_socket_disable = True

# Trust X-Forwarded-Proto only from the proxy on this machine. The app itself reads the
# X-Forwarded-* headers through SURVEY_APP_TRUSTED_PROXIES=1 (ProxyFix).
forwarded_allow_ips = "127.0.0.1,::1"

# The access log keeps no client address, user agent or referrer (the survey promises no
# address is kept, README "What is stored"), no query string (a kiosk's key travels there) and
# no invitation token (masked in the path below).
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

_INVITATION_TOKEN = re.compile(r"^/s/[^/]+")


class PrivateAccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if atoms["U"]:
            atoms["U"] = _INVITATION_TOKEN.sub("/s/…", atoms["U"])
        return atoms


logger_class = PrivateAccessLogger
