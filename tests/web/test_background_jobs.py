"""Background jobs (survey_app/jobs/): slip sheets over one page and report files are made
outside the request, by a real RQ worker process when Redis is configured, else by a thread
of the app; the reader follows the job's page to the file, which is kept for a while and then
deleted, and is served only to accounts with the same rights over its unit.

The RQ test queues on the shared Redis under a queue name of its own (CI runs the SQLite and
PostgreSQL suites side by side on one Redis), and deletes only that queue.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
import report_province
from accounts import add_user, csrf_from, log_in
from jobs_flow import ask_for, file_of, job_page, page_text, settled_page
from sqlalchemy import make_url, select, update

import survey_app.reports.slips
from survey_app.domain.audit import AuditAction
from survey_app.extensions import db
from survey_app.jobs.dispatch import MISSED_HEARTBEATS, rq_queue
from survey_app.models import AuditEvent, BackgroundJob, Invitation, User
from survey_app.reports.formatting import Figures
from survey_app.services.secrets import secret_hash
from survey_app.services.units import unit_by_code

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SURVEY_APP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
QUERY = f"from={report_province.FROM}&to={report_province.TO}"
SLIP_URL = re.compile(r"http://localhost/s/[A-Za-z0-9_-]{24}")
# The province's own invitations were issued in its quarter; a job's are issued today.
MADE_BY_THE_JOB = Invitation.issued_on > date.fromisoformat(report_province.TO)


@pytest.fixture
def province(app):
    report_province.build(app)
    add_user(app, "stp@binhan.gov.vn", "staff", "STP")
    add_user(app, "stp2@binhan.gov.vn", "staff", "STP")
    add_user(app, "sxd@binhan.gov.vn", "staff", "SXD")
    add_user(app, "officer@binhan.gov.vn", "officer", "TINH")
    return app


def run(*args: str, data: bytes | None = None) -> str:
    return subprocess.run(args, input=data, check=True, capture_output=True).stdout.decode()


def pdf_pages(data: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", run("pdfinfo", "-", data=data), re.M).group(1))


def pdf_text(data: bytes) -> str:
    return run("pdftotext", "-layout", "-", "-", data=data)


def ask_for_slips(client, unit_id: int, count: int):
    token = csrf_from(client.get("/staff/invitations").get_data(as_text=True))
    return client.post("/staff/invitations", data={"unit": unit_id, "count": count, "csrf_token": token})


def unit_id(app, code: str) -> int:
    with app.app_context():
        return unit_by_code(db.session, code).id


def check_slip_sheet(app, data: bytes, count: int, issued_by: str) -> None:
    """``count`` slips, 8 to a page, each link one of the invitations kept, printed by that account
    (as the audit log says: an invitation does not keep who issued it)."""
    assert pdf_pages(data) == -(-count // 8)
    printed = SLIP_URL.findall(pdf_text(data))
    assert len(printed) == len(set(printed)) == count
    with app.app_context():
        user = db.session.scalar(select(User.id).where(User.email == issued_by))
        kept = set(db.session.scalars(select(Invitation.token_hash).where(MADE_BY_THE_JOB)))
        printing = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.SLIPS_PRINT)).all()
        assert [(event.user_id, event.detail["count"]) for event in printing] == [(user, count)]
    assert {secret_hash(url.rsplit("/", 1)[1]) for url in printed} == kept


def scores_json(runner, *args: str) -> dict:
    result = runner.invoke(args=["scores", "--from", report_province.FROM, "--to", report_province.TO, *args,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# ----------------------------------------------------------------------------- RQ on Redis

@pytest.fixture
def redis_queue(app):
    name = f"survey-app-test-{uuid.uuid4().hex}"
    app.config.update(JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE=name)
    yield name
    queue = rq_queue(app)
    queue.delete(delete_jobs=True)
    for key in queue.connection.scan_iter(match=f"rq:*{name}*"):
        queue.connection.delete(key)
    queue.connection.close()


def test_a_real_rq_worker_makes_the_slip_sheet_and_the_province_report(app, province, client, runner,
                                                                       redis_queue):
    log_in(client, "stp@binhan.gov.vn")
    slips_page = job_page(ask_for_slips(client, unit_id(app, "STP"), 20))
    officer = app.test_client()
    log_in(officer, "officer@binhan.gov.vn")
    report_page = job_page(ask_for(officer, f"/reports/report.pdf?{QUERY}&lang=vi"))

    # Queued in Redis, not made by the web process: both pages wait, and look again by themselves.
    for reader, address in ((client, slips_page), (officer, report_page)):
        page = reader.get(address)
        assert "Đang chờ đến lượt. Trang này tự theo dõi tiến độ." in page_text(page)
        assert '<meta http-equiv="refresh" content="2">' in page.get_data(as_text=True)
    assert len(rq_queue(app)) == 2
    with app.app_context():
        assert db.session.scalar(select(Invitation.id).where(MADE_BY_THE_JOB)) is None

    # A worker process, started as the deployment starts it, with the app's settings.
    env = {**os.environ, "SURVEY_APP_DATABASE_URL": app.config["DATABASE_URL"],
           "SURVEY_APP_SECRET_KEY": app.config["SECRET_KEY"], "SURVEY_APP_JOBS_DIR": app.config["JOBS_DIR"],
           "SURVEY_APP_JOBS_REDIS_URL": REDIS_URL, "SURVEY_APP_JOBS_QUEUE": redis_queue}
    worker = subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "jobs", "worker", "--burst"],
                            env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0, worker.stderr
    assert len(rq_queue(app)) == 0

    slips = file_of(client, slips_page)
    assert slips.status_code == 200 and slips.mimetype == "application/pdf"
    assert slips.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r"attachment; filename=phieu-khao-sat-STP-\d{4}-\d{2}-\d{2}\.pdf",
                        slips.headers["Content-Disposition"])
    check_slip_sheet(app, slips.data, 20, "stp@binhan.gov.vn")

    report = file_of(officer, report_page)
    assert report.headers["Content-Disposition"] == \
        "attachment; filename=bao-cao-hai-long-TINH-2026-01-01-2026-03-31.pdf"
    # The province's figures, as `scores --format json` computes them, in Vietnamese.
    text = " ".join(pdf_text(report.data).split())
    figures = scores_json(runner, "--unit", "TINH")
    vi = Figures("vi")
    assert f"{vi.index(figures['overall']['index'])}" in text
    assert f"{vi.interval(figures['overall']['ci'])}" in text
    for unit in figures["units"]:
        assert unit["name"] in text
        assert vi.index(unit["index"]) in text
    assert pdf_pages(report.data) > 1


def worker_env(app, queue: str, **settings: str) -> dict[str, str]:
    """A worker process's environment, as the deployment gives it the app's settings."""
    return {**os.environ, "SURVEY_APP_DATABASE_URL": app.config["DATABASE_URL"],
            "SURVEY_APP_SECRET_KEY": app.config["SECRET_KEY"], "SURVEY_APP_JOBS_DIR": app.config["JOBS_DIR"],
            "SURVEY_APP_JOBS_REDIS_URL": REDIS_URL, "SURVEY_APP_JOBS_QUEUE": queue,
            **{f"SURVEY_APP_{name}": value for name, value in settings.items()}}


def job_row(app) -> tuple[int, str, int, str | None]:
    with app.app_context():
        job = db.session.scalars(select(BackgroundJob).order_by(BackgroundJob.id)).first()
        return job.id, job.state, job.progress, job.failure


@contextmanager
def writes_held(app):
    """Every write of the job's rows waits (the database locked as a long transaction would):
    the job stays half-made while held, whatever its speed."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
    else:
        connection = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
        connection.execute("LOCK TABLE background_jobs IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        connection.rollback()
        connection.close()


def process_and_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


@pytest.mark.nightly
def test_a_job_whose_worker_is_killed_is_failed_within_a_minute_and_can_be_asked_again(app, province, client,
                                                                                       redis_queue):
    """Issue 16: a report whose RQ worker was killed showed "running 50%" for 15 minutes. The
    worker heartbeats while it works; once it misses three beats its job is shown failed, and
    the account may ask again (here it may have one unfinished job only)."""
    heartbeat = 1
    app.config.update(JOBS_HEARTBEAT_SECONDS=heartbeat, JOBS_MAX_UNFINISHED=1)
    log_in(client, "officer@binhan.gov.vn")
    address = job_page(ask_for(client, f"/reports/report.pdf?{QUERY}&lang=en"))
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "survey_app", "jobs", "worker"],
                              env=worker_env(app, redis_queue, JOBS_HEARTBEAT_SECONDS=str(heartbeat)),
                              cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while job_row(app)[1:3] != ("running", 50):  # its figures done, its PDF being made
            assert time.monotonic() < deadline and worker.poll() is None, job_row(app)
            time.sleep(0.02)
        with writes_held(app):
            # Alive and beating: still running after more than three beats.
            time.sleep((MISSED_HEARTBEATS + 0.5) * heartbeat)
            page = client.get(address)
            assert "Being made." in page_text(page) and 'value="50"' in page.get_data(as_text=True)
            # Killed outright, its work horse with it (as the OOM killer or `systemctl kill` would).
            for pid in process_and_children(worker.pid):
                os.kill(pid, signal.SIGKILL)
            killed = time.monotonic()
            worker.wait()
        page = settled_page(client, address, timeout=60)
        seen_failed = time.monotonic() - killed
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert ("The program making the file stopped before it was done (the server may have restarted). "
            "Please ask for it again.") in page_text(page)
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)
    assert seen_failed < (MISSED_HEARTBEATS + 1) * heartbeat + 1  # three beats missed, then a look
    # Asked again: accepted (the dead job no longer counts as unfinished), and it is recorded failed.
    again = job_page(ask_for(client, f"/reports/report.pdf?{QUERY}&lang=en"))
    assert again != address
    assert job_row(app)[1:] == ("failed", 50, "worker")


def test_an_unreachable_queue_is_a_clear_failure(app, province, client):
    app.config.update(JOBS_REDIS_URL="redis://127.0.0.1:1/0", JOBS_QUEUE=f"survey-app-test-{uuid.uuid4().hex}")
    log_in(client, "officer@binhan.gov.vn")
    page = settled_page(client, job_page(ask_for(client, f"/reports/report.xlsx?{QUERY}&lang=en")))
    assert "The work could not be handed to the job queue. Please try again later." in page_text(page)


# ----------------------------------------------------------------------------- in the app's thread

def test_other_pages_are_served_while_a_job_runs_in_the_app(app, province, client, monkeypatch):
    """Without Redis a thread of the app makes the file. The sheet is held half-made (its PDF
    about to be rendered, by the real renderer once let go) while the same app serves pages."""
    reached, let_go = threading.Event(), threading.Event()
    render = survey_app.reports.slips.render_pdf

    def held(*args, **kwargs):
        reached.set()
        assert let_go.wait(60)
        return render(*args, **kwargs)

    monkeypatch.setattr(survey_app.reports.slips, "render_pdf", held)
    log_in(client, "stp@binhan.gov.vn")
    address = job_page(ask_for_slips(client, unit_id(app, "STP"), 12))
    assert reached.wait(60)
    try:
        assert client.get("/staff/").status_code == 200
        assert client.get(f"/reports/units/STP?{QUERY}").status_code == 200
        running = client.get(address)
        assert "Đang tạo tệp." in page_text(running)
        assert '<meta http-equiv="refresh" content="2">' in running.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(BackgroundJob.state)) == "running"
            # Nothing kept yet: the invitations are committed with the finished sheet.
            assert db.session.scalar(select(Invitation.id).where(MADE_BY_THE_JOB)) is None
    finally:
        let_go.set()
    check_slip_sheet(app, file_of(client, address).data, 12, "stp@binhan.gov.vn")


def expire_every_file(app) -> None:
    """A day later, as far as the jobs are concerned."""
    with app.app_context():
        db.session.execute(update(BackgroundJob).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
        db.session.commit()


def test_an_expired_file_is_deleted_and_its_page_says_so(app, province, client, runner):
    log_in(client, "stp@binhan.gov.vn")
    jobs_dir = Path(app.config["JOBS_DIR"])
    first = job_page(ask_for_slips(client, unit_id(app, "STP"), 9))
    assert file_of(client, first).status_code == 200
    (kept,) = list(jobs_dir.iterdir())
    # Kept JOBS_KEEP_HOURS (24) from when it was made.
    with app.app_context():
        job = db.session.scalar(select(BackgroundJob))
        assert job.expires_at - job.finished_at == timedelta(hours=24)
    expire_every_file(app)
    # Its file's address sends the reader back to the page; the hourly purge deletes it.
    assert client.get(f"{first.split('?')[0]}/file").status_code == 302
    result = runner.invoke(args=["jobs", "purge"])
    assert result.exit_code == 0 and result.output.startswith("1 expired files deleted, 0 unfinished jobs given up\n")
    assert not kept.exists() and list(jobs_dir.iterdir()) == []
    page = client.get(first)
    assert page.status_code == 410
    assert "Tệp này không còn được lưu: tệp bị xóa 24 giờ sau khi được tạo." in page_text(page)
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)

    # A page seen after the time is up deletes its file there and then.
    second = job_page(ask_for_slips(client, unit_id(app, "STP"), 9))
    assert file_of(client, second).status_code == 200
    assert len(list(jobs_dir.iterdir())) == 1
    expire_every_file(app)
    assert client.get(second).status_code == 410
    assert list(jobs_dir.iterdir()) == []


def test_a_job_past_its_timeout_is_given_up(app, province, client, runner):
    log_in(client, "officer@binhan.gov.vn")
    # The worker that would make it is not running (a queue nobody reads), then the time is up.
    app.config.update(JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE=f"survey-app-test-{uuid.uuid4().hex}")
    address = job_page(ask_for(client, f"/reports/report.xlsx?{QUERY}&lang=en"))
    rq_queue(app).delete(delete_jobs=True)
    with app.app_context():
        db.session.execute(update(BackgroundJob).values(created_at=datetime.now(timezone.utc) - timedelta(hours=1)))
        db.session.commit()
    page = client.get(address)
    assert "The file was not made in time (the server may have restarted). Please ask for it again." in page_text(page)
    assert runner.invoke(args=["jobs", "purge"]).output.startswith("0 expired files deleted, 1 unfinished jobs given up\n")
    with app.app_context():
        assert db.session.scalar(select(BackgroundJob.failure)) == "timeout"


# ----------------------------------------------------------------------------- who may see it

def test_a_job_is_shown_only_to_accounts_with_the_same_rights_over_its_unit(app, province, client):
    log_in(client, "stp@binhan.gov.vn")
    address = job_page(ask_for_slips(client, unit_id(app, "STP"), 9))
    file_address = f"{address.split('?')[0]}/file"
    assert file_of(client, address).status_code == 200

    colleague, other_unit, signed_out = app.test_client(), app.test_client(), app.test_client()
    log_in(colleague, "stp2@binhan.gov.vn")
    log_in(other_unit, "sxd@binhan.gov.vn")
    assert colleague.get(address).status_code == 200
    assert colleague.get(file_address, buffered=True).mimetype == "application/pdf"
    assert other_unit.get(address).status_code == 404
    assert other_unit.get(file_address).status_code == 404
    assert signed_out.get(address).status_code == 302
    # An address nobody was given, of the same shape, is not found.
    assert client.get("/jobs/" + "A" * 32).status_code == 404


def test_a_file_of_every_unit_is_not_for_an_officer_of_one_branch(app, province, client):
    add_user(app, "admin@binhan.gov.vn", "admin", None)
    add_user(app, "so@binhan.gov.vn", "officer", "SO")
    add_user(app, "province@binhan.gov.vn", "officer", None)
    log_in(client, "admin@binhan.gov.vn")
    address = job_page(ask_for(client, f"/reports/report.xlsx?{QUERY}&lang=en"))
    assert file_of(client, address).status_code == 200
    branch, whole = app.test_client(), app.test_client()
    log_in(branch, "so@binhan.gov.vn")
    log_in(whole, "province@binhan.gov.vn")
    assert branch.get(address).status_code == 404
    assert whole.get(address).status_code == 200


def test_too_many_unfinished_jobs_are_refused(app, province, client):
    app.config.update(JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE=f"survey-app-test-{uuid.uuid4().hex}",
                      JOBS_MAX_UNFINISHED=2)
    log_in(client, "officer@binhan.gov.vn")
    try:
        for _ in range(2):
            job_page(ask_for(client, f"/reports/report.xlsx?{QUERY}&lang=en"))
        refused = ask_for(client, f"/reports/report.xlsx?{QUERY}&lang=en")
        assert refused.status_code == 429
        assert "You already have 2 files being prepared." in page_text(refused)
    finally:
        rq_queue(app).delete(delete_jobs=True)
