"""gunicorn.conf.py: every name is a gunicorn setting, it listens on the loopback only, and its
access log keeps no client address, query string or invitation token."""

from __future__ import annotations

import os
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def _loaded() -> Config:
    settings = {k: v for k, v in runpy.run_path(str(CONF)).items() if not k.startswith("_") and k.islower()}
    config = Config()
    unknown = sorted(set(settings) - set(config.settings) - {"multiprocessing", "os", "re"})
    assert unknown == [], f"not gunicorn settings (gunicorn would ignore them): {unknown}"
    for name, value in settings.items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_the_settings_are_gunicorns_and_bind_the_loopback_only(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("SURVEY_APP_BIND", raising=False)
    config = _loaded()
    assert config.bind == ["127.0.0.1:8000"]
    assert config.workers == 2 * os.cpu_count() + 1
    assert config.worker_class_str == "sync"
    assert config.timeout == 120
    assert config.control_socket_disable is True
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]


def test_the_access_log_names_no_client_and_masks_invitation_tokens():
    config = _loaded()
    logger = config.logger_class(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/s/tok3n/qr.svg?x=1", "PATH_INFO": "/s/tok3n/qr.svg",
               "QUERY_STRING": "x=1", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9",
               "HTTP_USER_AGENT": "Mozilla/5.0 (Android)", "HTTP_REFERER": "https://example.org/"}
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "198.51.100.7")])
    response = SimpleNamespace(status="200 OK", headers=[], sent=512)
    line = config.access_log_format % logger.atoms(response, request, environ, timedelta(milliseconds=42))
    assert line.endswith('"GET /s/…/qr.svg" 200 512 42ms')
    for secret in ("203.0.113.9", "198.51.100.7", "tok3n", "x=1", "Mozilla", "example.org"):
        assert secret not in line
    kiosk = dict(environ, RAW_URI="/k/K1?key=s3cret", PATH_INFO="/k/K1", QUERY_STRING="key=s3cret")
    line = config.access_log_format % logger.atoms(response, request, kiosk, timedelta(milliseconds=7))
    assert line.endswith('"GET /k/K1" 200 512 7ms') and "s3cret" not in line


def test_workers_are_forks_of_a_built_app_and_are_rarely_restarted(monkeypatch):
    # Issue 16: with a worker rebuilt every 2,000 requests, each start costing seconds, the
    # shipped configuration served under half of what an empty one did (bench/load.py).
    config = _loaded()
    assert config.preload_app is True
    assert config.max_requests == 0 or config.max_requests >= 50_000


def test_the_app_starts_without_scipy_stats():
    # Importing scipy.stats took a second of every process start (and of every command);
    # scoring needs none of it. (matplotlib stays: with preload_app the master imports it
    # once for every worker, which a lazy import would make each worker pay again.)
    import subprocess
    import sys

    code = "import sys; from survey_app import create_app; create_app(); " \
           "print(sorted(m for m in sys.modules if m.startswith('scipy.stats')))"
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             cwd=CONF.parent, env={**os.environ, "SURVEY_APP_DATABASE_URL": "sqlite://"}).stdout
    assert printed.strip() == "[]"
