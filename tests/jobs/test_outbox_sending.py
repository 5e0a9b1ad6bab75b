"""jobs.outbox: the sending pass, against a real SMTP server and a local SMS gateway."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from survey_app.domain.delivery import DeliveryState
from survey_app.extensions import db
from survey_app.jobs.dispatch import rq_queue, wait_for_job_threads
from survey_app.jobs.outbox import send_pass
from survey_app.messaging import contact_cipher
from survey_app.models import OutboxMessage
from survey_app.services import outbox
from survey_app.services.outbox import Attachment

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ctx(app):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    with app.app_context():
        yield app


def _queue_email(to="lan@example.vn", about="case:1", **extra):
    return outbox.queue_email(db.session, cipher=contact_cipher(), to=to, subject="Xác nhận yêu cầu PA-2026-000123",
                              text="Ông/Bà bấm vào liên kết sau để xác nhận.", kind="case_confirmation",
                              about=about, **extra)


def _states(about="case:1"):
    return [d.state for d in outbox.deliveries(db.session, about)]


def test_an_email_reaches_the_smtp_server_whole(ctx, smtp_server):
    _queue_email(html="<p>Ông/Bà bấm vào <a href='https://x/c'>liên kết</a></p>",
                 attachments=[Attachment("bao-cao.pdf", b"%PDF-1.7 test", "application/pdf")],
                 headers={"Reply-To": "motcua@example.vn"})
    db.session.commit()
    counts = send_pass(ctx)
    assert (counts.sent, counts.retrying, counts.failed) == (1, 0, 0)
    [received] = smtp_server.received
    assert received.rcpt_tos == ["lan@example.vn"] and received.mail_from == "survey_app@localhost"
    message = received.message
    assert message["Subject"] == "Xác nhận yêu cầu PA-2026-000123"
    assert message["Reply-To"] == "motcua@example.vn"
    assert message.get_body(("plain",)).get_content().strip() == "Ông/Bà bấm vào liên kết sau để xác nhận."
    assert "href='https://x/c'" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "bao-cao.pdf" and attachment.get_content() == b"%PDF-1.7 test"
    assert _states() == [DeliveryState.SENT]


def test_sending_twice_sends_once(ctx, smtp_server):
    _queue_email()
    db.session.commit()
    assert send_pass(ctx).sent == 1
    assert send_pass(ctx).sent == 0
    assert len(smtp_server.received) == 1


def test_two_senders_racing_send_each_message_once(ctx, smtp_server):
    for n in range(30):
        _queue_email(to=f"citizen{n}@example.vn")
    db.session.commit()
    results, start = [], threading.Barrier(3)

    def sender():
        with ctx.app_context():
            start.wait()
            results.append(send_pass(ctx))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = sorted(r.rcpt_tos[0] for r in smtp_server.received)
    assert received == sorted(f"citizen{n}@example.vn" for n in range(30))  # each once
    assert sum(r.sent for r in results) == 30
    assert set(_states()) == {DeliveryState.SENT}


def test_a_server_that_cannot_take_it_now_is_tried_again_with_backoff(ctx, smtp_server):
    smtp_server.busy.add("lan@example.vn")
    message = _queue_email()
    db.session.commit()
    start = datetime.now(timezone.utc)
    assert send_pass(ctx).retrying == 1
    db.session.refresh(message)
    assert (message.state, message.attempts, message.last_error) == ("queued", 1, "smtp 451 recipient refused")
    assert timedelta(seconds=59) <= message.next_attempt_at - start <= timedelta(seconds=70)
    assert send_pass(ctx).sent == 0  # not due yet
    smtp_server.busy.clear()
    assert send_pass(ctx, now=message.next_attempt_at).sent == 1
    assert len(smtp_server.received) == 1


def test_a_refused_address_fails_for_good_and_keeps_no_address(ctx, smtp_server):
    smtp_server.refuse.add("nobody@example.vn")
    message = _queue_email(to="nobody@example.vn")
    db.session.commit()
    assert send_pass(ctx).failed == 1
    db.session.refresh(message)
    assert (message.state, message.last_error, message.payload) == ("failed", "smtp 550 recipient refused", None)
    assert smtp_server.received == []


def test_no_server_at_all_is_tried_again(ctx, smtp_server):
    smtp_server.stop()
    _queue_email()
    db.session.commit()
    assert send_pass(ctx).retrying == 1
    smtp_server.start()
    later = datetime.now(timezone.utc) + timedelta(minutes=2)
    assert send_pass(ctx, now=later).sent == 1


def test_the_file_backend_writes_an_eml_file_and_logs_its_path(ctx, tmp_path, caplog):
    _queue_email()
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="survey_app.outbox"):
        assert send_pass(ctx).sent == 1
    [written] = (tmp_path / "outbox").glob("*.eml")
    assert f"e-mail written to {written}" in caplog.text
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "lan@example.vn" and message["Subject"] == "Xác nhận yêu cầu PA-2026-000123"


def test_a_commit_that_queued_a_message_starts_a_pass(app, tmp_path):
    with app.app_context():
        _queue_email()
        db.session.commit()
    wait_for_job_threads(app)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    with app.app_context():
        assert _states() == [DeliveryState.SENT]


def test_without_cron_the_process_wakes_itself_for_a_retry(app, smtp_server):
    app.config["OUTBOX_RETRY_SECONDS"] = 1
    smtp_server.busy.add("lan@example.vn")
    with app.app_context():
        message = _queue_email()
        db.session.commit()
        message_id = message.id
        deadline = time.monotonic() + 30
        while (db.session.get(OutboxMessage, message_id).last_error or "") != "smtp 451 recipient refused":
            assert time.monotonic() < deadline
            time.sleep(0.1)
            db.session.expire_all()
        smtp_server.busy.clear()  # the first try was refused for now; nobody asks for another pass
        while db.session.get(OutboxMessage, message_id).state != "sent":
            assert time.monotonic() < deadline, "the retry never came"
            time.sleep(0.1)
            db.session.expire_all()
        assert db.session.get(OutboxMessage, message_id).attempts == 2
    assert len(smtp_server.received) == 1


def test_a_rolled_back_message_starts_nothing(app, tmp_path):
    with app.app_context():
        _queue_email()
        db.session.rollback()
        db.session.commit()
    wait_for_job_threads(app)
    assert not (tmp_path / "outbox").exists()


def test_flask_outbox_send(app, runner, smtp_server):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    with app.app_context():
        _queue_email()
        _queue_email(to="other@example.vn")
        db.session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 sent, 0 to try again, 0 failed, 0 interrupted earlier and given up"
    assert len(smtp_server.received) == 2


@pytest.mark.nightly
def test_with_redis_a_commit_queues_a_pass_that_the_rq_worker_runs(app, smtp_server):
    redis_url = os.environ.get("SURVEY_APP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    queue_name = f"survey-app-test-{uuid.uuid4().hex}"
    app.config.update(JOBS_REDIS_URL=redis_url, JOBS_QUEUE=queue_name)
    try:
        with app.app_context():
            _queue_email()
            db.session.commit()
            _queue_email(to="other@example.vn")
            db.session.commit()
        assert len(rq_queue(app)) == 2  # one pass asked for per commit; the web process sends nothing
        assert smtp_server.received == []
        env = {**os.environ, "SURVEY_APP_DATABASE_URL": app.config["DATABASE_URL"],
               "SURVEY_APP_SECRET_KEY": app.config["SECRET_KEY"], "SURVEY_APP_CONTACT_KEYS": app.config["CONTACT_KEYS"],
               "SURVEY_APP_JOBS_REDIS_URL": redis_url, "SURVEY_APP_JOBS_QUEUE": queue_name,
               "SURVEY_APP_MAIL_BACKEND": "smtp", "SURVEY_APP_MAIL_SERVER": "127.0.0.1",
               "SURVEY_APP_MAIL_PORT": str(smtp_server.port)}
        worker = subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "jobs", "worker", "--burst"],
                                env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
        assert worker.returncode == 0, worker.stderr
        assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == ["lan@example.vn", "other@example.vn"]
        with app.app_context():
            assert set(_states()) == {DeliveryState.SENT}
    finally:
        queue = rq_queue(app)
        queue.delete(delete_jobs=True)
        for key in queue.connection.scan_iter(match=f"rq:*{queue_name}*"):
            queue.connection.delete(key)
        queue.connection.close()


def test_flask_outbox_status_counts_and_names_failures_without_recipients(app, runner, smtp_server):
    app.config["OUTBOX_SEND_ON_COMMIT"] = False
    smtp_server.refuse.add("nobody@example.vn")
    with app.app_context():
        _queue_email()
        failed = _queue_email(to="nobody@example.vn")
        db.session.commit()
        send_pass(app)
        _queue_email(to="later@example.vn")
        db.session.commit()
        db.session.refresh(failed)
        created = f"{failed.created_at:%Y-%m-%dT%H:%M:%SZ}"
    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "email\tfailed\t1", "email\tqueued\t1", "email\tsent\t1",
        f"failed\t{failed.id}\tcase_confirmation\t{created}\t1 tries\tsmtp 550 recipient refused"]
    assert "nobody" not in result.output
