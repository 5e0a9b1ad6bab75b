"""``flask --app survey_app notifications send-due``: the weekly digests and subscribed reports
that are due, queued in the outbox in each account's language (docs/deploy.md runs it every
15 minutes). Running it again sends nothing twice; a missed run is caught up once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from survey_app.cli.common import operator, score_query
from survey_app.domain.audit import AuditAction
from survey_app.domain.early_warning import ChartRule
from survey_app.domain.permissions import covers_all_units
from survey_app.domain.subscriptions import DIGEST, Due
from survey_app.extensions import db
from survey_app.messaging import contact_cipher
from survey_app.models import Subscription
from survey_app.services import audit, outbox
from survey_app.services.accounts import in_scope
from survey_app.services.alerts import unit_alerts
from survey_app.services.outbox import Attachment
from survey_app.services.subscriptions import claim, due_subscriptions, unsubscribe_token


@click.group("notifications")
def notifications_cli() -> None:
    """E-mails accounts subscribed to: weekly alert digests, monthly or quarterly reports."""


@notifications_cli.command("send-due")
@with_appcontext
@click.option("--now", "now_text", hidden=True, help="ISO time to act as of (tests).")
def send_due(now_text: str | None) -> None:
    """Queue every digest and report that is due and not yet sent; commits once."""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    now = datetime.fromisoformat(now_text).astimezone(tz) if now_text else datetime.now(tz)
    sent = 0
    for subscription, due in due_subscriptions(db.session, now):
        if not claim(db.session, subscription, due):
            continue  # another run took it
        with force_locale(subscription.language):
            sent += _send(subscription, due, tz, now)
    db.session.commit()
    click.echo(f"{sent} message(s) queued", err=True)


def _scope(subscription: Subscription):
    """(the unit, or None for every unit) the message may show; False: nothing."""
    user = subscription.user
    if subscription.unit is not None:
        return subscription.unit if in_scope(db.session, user, subscription.unit) else False
    if user.unit is not None:
        return user.unit
    return None if covers_all_units(user.role) else False


def _base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or "http://localhost:5000").rstrip("/")


def _send(subscription: Subscription, due: Due, tz: ZoneInfo, now: datetime) -> int:
    from survey_app.reports import alert_wording

    scope = _scope(subscription)
    if scope is False:
        return 0
    user, language, base = subscription.user, subscription.language, _base_url()
    unsubscribe = f"{base}/reports/unsubscribe/{unsubscribe_token(current_app.secret_key, subscription.id)}"
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    attachments = ()
    if subscription.kind == DIGEST:
        # keep: the first digest of a week computes the alerts (unless the nightly keep did),
        # the others, and the pages, read them.
        alerts = unit_alerts(db.session, current_app.extensions["survey_catalog"].default, due.as_of, tz,
                             ChartRule.from_settings(current_app.config), scope or None, keep=True)
        subject, text = alert_wording.digest_text(alerts, language, link=f"{base}/reports/alerts?lang={language}",
                                                  unsubscribe=unsubscribe)
        detail = {"units": len(alerts.signalling)}
    else:
        from survey_app.reports.formatting import Figures
        from survey_app.reports.report_files import report_file

        period, code = due.period, scope.code if scope else None
        made = report_file(db.session, score_query(period.start, period.end, None, code), kind="pdf", lang=language)
        figures = Figures(language)
        period_name = f"{figures.day(period.start)} – {figures.day(period.end)}"
        attached = len(made.data) <= current_app.config["REPORT_ATTACH_MAX_BYTES"]
        link = (f"{base}/reports/report.pdf?from={period.start.isoformat()}&to={period.end.isoformat()}"
                f"&lang={language}" + (f"&unit={code}" if code else ""))
        subject, text = alert_wording.report_mail_text(scope.name if scope else _all_units(), period_name,
                                                       attached=attached, link=link, unsubscribe=unsubscribe)
        if attached:
            attachments = (Attachment(f"report-{due.key}.pdf", made.data, "application/pdf"),)
        detail = {"start": period.start.isoformat(), "end": period.end.isoformat(), "format": "pdf"}
    outbox.queue_email(db.session, cipher=contact_cipher(current_app), to=user.email, subject=subject, text=text,
                       kind=f"subscription_{subscription.kind}", attachments=attachments, headers=headers,
                       about=f"subscription:{subscription.id}", now=now)
    audit.record(db.session, operator(), AuditAction.NOTIFICATION_SEND, scope or None, email=user.email,
                 kind=subscription.kind, period=due.key, lang=language, **detail)
    return 1


def _all_units() -> str:
    from flask_babel import gettext as _

    return _("All units")
