"""A province's PDF asked from a gunicorn server with ONE sync worker and no Redis (the job runs
in a thread of that worker): how long the request takes, how long the job, and how fast the
same worker answers another page meanwhile, against the same page before the job (same run).

    .venv/bin/python bench/bench_jobs.py [--units 60] [--responses 6000] [--comments 600]

Before background jobs the PDF was made inside the request, so with one worker every other
page waited for the whole PDF.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import requests
from bench_report import PERIOD, build
from flask_migrate import upgrade

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.accounts import create_user

PASSWORD = "bench password 123"
# Seconds between two looks at the other page while the job runs.
PAUSE = 1.0
QUERY = f"from={PERIOD.start.isoformat()}&to={PERIOD.end.isoformat()}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed_get(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, allow_redirects=False)
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--responses", type=int, default=6000)
    parser.add_argument("--comments", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        config = {"SECRET_KEY": "bench", "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url}
        app = create_app(config)
        with app.app_context():
            upgrade()
        build(app, args.units, args.responses, args.comments)
        with app.app_context():
            root = db.session.get(Unit, 1)
            create_user(db.session, email="officer@bench.vn", password=PASSWORD, role="officer", unit=root,
                        now=datetime.now(timezone.utc))
            db.session.commit()
            db.engine.dispose()

        port = free_port()
        env = {**os.environ, "SURVEY_APP_DATABASE_URL": url, "SURVEY_APP_SECRET_KEY": "bench",
               "SURVEY_APP_JOBS_DIR": str(Path(folder) / "jobs")}
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                   "--timeout", "120", "--no-control-socket", "survey_app:create_app()"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            client = requests.Session()
            for _ in range(100):
                try:
                    login = client.get(f"{base}/login")
                    break
                except requests.ConnectionError:
                    time.sleep(0.2)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.text).group(1)
            assert client.post(f"{base}/login", data={"csrf_token": token, "email": "officer@bench.vn",
                                                      "password": PASSWORD}, allow_redirects=False).status_code == 302
            page = f"{base}/reports/units/TINH?{QUERY}"
            timed_get(client, page)  # warm: the app's first page
            before = [timed_get(client, page) for _ in range(10)]

            started = time.perf_counter()
            asked = client.get(f"{base}/reports/report.pdf?{QUERY}", allow_redirects=False)
            answered = time.perf_counter() - started
            assert asked.status_code == 303, asked.status_code
            job_page = base + asked.headers["Location"]
            during = []
            while True:
                during.append(timed_get(client, page))
                state = client.get(job_page)
                if 'content="0; url=' in state.text:
                    break
                assert "refresh" in state.text, state.text[-600:]
                time.sleep(PAUSE)  # another reader's next click, not a flood
            made = time.perf_counter() - started
            file_url = base + re.search(r'content="0; url=([^"]+)"', state.text).group(1).replace("&amp;", "&")
            pdf = client.get(file_url)
            assert pdf.headers["Content-Type"] == "application/pdf"
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        print(f"data: {args.units} units, {args.responses} responses, {args.comments} comments; "
              f"gunicorn, 1 sync worker, no Redis (the job in a thread of that worker)")
        print(f"GET /reports/report.pdf answered (303 to the job's page) in {answered * 1000:.0f} ms")
        print(f"the PDF was ready after {made:.1f} s ({len(pdf.content) / 1e6:.1f} MB)")
        quiet, busy = statistics.median(before), statistics.median(during)
        print(f"the unit page, median of {len(before)} before the job: {quiet * 1000:.0f} ms; "
              f"median of {len(during)} while it ran: {busy * 1000:.0f} ms "
              f"(max {max(during) * 1000:.0f} ms; ratio of medians {busy / quiet:.1f})")


if __name__ == "__main__":
    main()
