"""Sending the outbox: one pass over the due messages, run in the background after a
transaction that queued one commits (``wake``), by RQ or a thread, and by
``flask outbox send`` from cron (retries and tomorrow's messages need a pass to come).

Each message is claimed and the claim committed before it is sent, and its outcome committed
right after: two passes at once (two web workers, a worker and cron) never send one twice.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from survey_app.domain.delivery import Channel, DeliveryError, DeliveryState, TemporaryFailure
from survey_app.extensions import db
from survey_app.jobs.dispatch import run_later, run_soon, uses_redis
from survey_app.messaging import contact_cipher, retry_policy
from survey_app.messaging.email import MailConnection
from survey_app.messaging.sms import send_sms, sms_gateway
from survey_app.services import outbox

log = logging.getLogger("survey_app.outbox")
_PENDING_KEY = "survey_outbox_pass_pending"
_pending_lock = threading.Lock()


@dataclass(frozen=True)
class PassCounts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0


def send_due() -> None:
    """The background task (RQ stores this function's path): one pass in the worker's app."""
    from survey_app.jobs.work import job_app

    app = job_app()
    with app.app_context():
        with _pending_lock:
            app.extensions.pop(_PENDING_KEY, None)  # a commit from now on asks for a new pass
        send_pass(app)
        next_due = outbox.next_due(db.session)
        db.session.rollback()
        if next_due is not None and not uses_redis(app):
            # A retry or tomorrow's SMS: without RQ (make run, no cron) this process wakes for it.
            run_later(app, next_due, send_due, "outbox pass")


def send_pass(app: Flask, *, now: datetime | None = None, limit: int = 1000) -> PassCounts:
    """Send every message due at ``now`` (at most ``limit``); inside an app context."""
    clock = (lambda: now) if now else (lambda: datetime.now(timezone.utc))
    session = db.session
    cipher, policy, tz = contact_cipher(app), retry_policy(app), ZoneInfo(app.config["TIMEZONE"])
    gateway, sms_timeout = sms_gateway(app), app.config["SMS_TIMEOUT"]
    interrupted = outbox.give_up_interrupted(session, clock(),
                                             timedelta(seconds=app.config["OUTBOX_SENDING_TIMEOUT_SECONDS"]))
    session.commit()
    counts = {DeliveryState.SENT: 0, DeliveryState.QUEUED: 0, DeliveryState.FAILED: 0}
    mail_connection = MailConnection()
    try:
        for message_id in outbox.due_ids(session, clock(), limit):
            envelope = outbox.claim(session, message_id, cipher=cipher, now=clock(), tz=tz)
            session.commit()  # the claim is seen by every other sender before anything leaves
            if envelope is None:
                continue
            try:
                if envelope.channel == Channel.EMAIL:
                    mail_connection.send(envelope)
                else:
                    send_sms(gateway, envelope, sms_timeout)
            except DeliveryError as failure:
                counts[outbox.mark_failed(session, envelope, failure, clock(), policy)] += 1
                log.warning("message %s (%s) not sent: %s", envelope.id, envelope.kind, failure.reason)
            except Exception as exc:  # a bug or a broken setting: tried again, and logged whole
                log.exception("message %s (%s) not sent", envelope.id, envelope.kind)
                failure = TemporaryFailure(f"error: {type(exc).__name__}")
                counts[outbox.mark_failed(session, envelope, failure, clock(), policy)] += 1
            else:
                outbox.mark_sent(session, envelope, clock())
                counts[DeliveryState.SENT] += 1
            session.commit()
    finally:
        mail_connection.close()
    return PassCounts(sent=counts[DeliveryState.SENT], retrying=counts[DeliveryState.QUEUED],
                      failed=counts[DeliveryState.FAILED], interrupted=interrupted)


def wake(app: Flask) -> None:
    """Ask for a pass: on RQ, always (the worker is another process); on this process's thread,
    unless one is already waiting to start there."""
    if uses_redis(app):
        run_soon(app, send_due, "outbox pass")
        return
    with _pending_lock:
        if app.extensions.get(_PENDING_KEY):
            return
        app.extensions[_PENDING_KEY] = True
    if not run_soon(app, send_due, "outbox pass"):
        with _pending_lock:
            app.extensions.pop(_PENDING_KEY, None)


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    """services.outbox marks the session that queued a message; its commit starts a pass."""
    if session.info.pop("outbox_queued", False) and has_app_context():
        app = current_app._get_current_object()
        if app.config["OUTBOX_SEND_ON_COMMIT"]:
            wake(app)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop("outbox_queued", None)
