"""Rate limits counted in Redis hold across processes, and an answer is never lost to Redis.

Two real servers (two processes, each with its own app and limiter) share the database and
the Redis on 127.0.0.1: one open-link limit for both. The keys in Redis carry a prefix of this
test session's own, as the SQLite and PostgreSQL runs of CI share that Redis; nothing is
flushed, and the session deletes only its own keys.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from urllib.parse import urlencode

import pytest
import redis
from factories import cycled_submission, form_fields, sipas, unit_tree
from pages import hidden_field, http_request
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Response

REDIS_URL = "redis://127.0.0.1:6379"
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A server on a free port that prints the port once it listens.
SERVE = """
from werkzeug.serving import make_server
from survey_app import create_app
server = make_server("127.0.0.1", 0, create_app(), threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture(scope="session")
def redis_prefix():
    prefix = f"survey_app_test_{uuid.uuid4().hex}"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"this test needs the Redis server on {REDIS_URL}: {exc}")
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def _start(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SERVE], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=log, text=True)


@pytest.fixture
def two_servers(app, redis_prefix, tmp_path):
    """Two processes serving the test database, counting limits in Redis; their ports."""
    env = {**os.environ,
           "SURVEY_APP_DATABASE_URL": app.config["DATABASE_URL"],
           "SURVEY_APP_SECRET_KEY": app.config["SECRET_KEY"],
           "SURVEY_APP_RATELIMIT_STORAGE_URI": REDIS_URL,
           "SURVEY_APP_RATELIMIT_KEY_PREFIX": redis_prefix,
           "SURVEY_APP_OPEN_LINK_RATE_LIMIT": "3 per minute"}
    logs = [open(tmp_path / f"server{i}.log", "w") for i in range(2)]
    servers = [_start(env, log) for log in logs]
    try:
        ports = []
        for server, log in zip(servers, logs):
            line = server.stdout.readline()
            assert line.strip().isdigit(), (log.name, open(log.name).read()[-2000:])
            ports.append(int(line))
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
            server.stdout.close()
        for log in logs:
            log.close()


def _request(port: int, method: str, path: str, body: str | None = None,
             cookie: str = "") -> tuple[int, dict, str]:
    return http_request("127.0.0.1", port, method, path, cookie, body)


def answer(port: int) -> int:
    """A citizen opens the poster's survey on this server and sends it; the POST's status."""
    status, headers, html = _request(port, "GET", "/u/P01")
    assert status == 200, html[:500]
    fields = {"csrf_token": hidden_field(html, "csrf_token"),
              "submission_key": hidden_field(html, "submission_key"),
              "served_at": hidden_field(html, "served_at"),
              **form_fields(cycled_submission(sipas()))}
    status, _, _ = _request(port, "POST", "/u/P01", urlencode(fields, doseq=True),
                            cookie=headers["Set-Cookie"].split(";", 1)[0])
    return status


def response_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_two_servers_share_one_open_link_limit(app, two_servers):
    with app.app_context():
        unit_tree(db.session, "P01")
        db.session.commit()
    first, second = two_servers
    # Alternating servers: three answers in all are allowed, whichever server took them; the
    # fourth is refused by either (each alone has counted at most two).
    assert [answer(port) for port in (first, second, first)] == [302, 302, 302]
    assert answer(second) == 429
    assert answer(first) == 429
    assert response_count(app) == 3


def test_while_redis_is_unreachable_answers_are_stored_and_limits_still_hold(app):
    """Nothing listens on port 1: the limiter counts in this process's memory instead, so
    citizens' answers go through and the limit still applies (per process) until Redis is back."""
    down = create_app({**{name: app.config[name] for name in ("TESTING", "SECRET_KEY", "DATABASE_URL",
                                                             "SQLALCHEMY_DATABASE_URI")},
                       "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1",
                       "OPEN_LINK_RATE_LIMIT": "2 per minute"})
    try:
        with down.app_context():
            unit_tree(db.session, "P01")
            db.session.commit()
        client = down.test_client()
        statuses = []
        for _ in range(3):
            html = client.get("/u/P01").get_data(as_text=True)
            fields = {"csrf_token": hidden_field(html, "csrf_token"),
                      "submission_key": hidden_field(html, "submission_key"),
                      "served_at": hidden_field(html, "served_at"),
                      **form_fields(cycled_submission(sipas()))}
            started = time.monotonic()
            statuses.append(client.post("/u/P01", data=fields).status_code)
            assert time.monotonic() - started < 5
        assert statuses == [302, 302, 429]
        assert response_count(app) == 2
    finally:
        with down.app_context():
            db.engine.dispose()
