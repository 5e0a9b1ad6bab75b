"""``/reports/subscriptions``: what the signed-in account receives by e-mail (the weekly digest of
alerts, a monthly or quarterly report of a unit in its scope); ``/reports/unsubscribe/<token>``:
the signed one-click link of every such e-mail, which needs no sign-in."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from survey_app import UI_LANGUAGES
from survey_app.domain.audit import AuditAction
from survey_app.domain.permissions import Action
from survey_app.domain.subscriptions import DIGEST, REPORT
from survey_app.extensions import csrf, db
from survey_app.services import audit
from survey_app.services.accounts import units_in_scope
from survey_app.services.subscriptions import Choice, save_choice, subscriptions_of, token_subscription, unsubscribe
from survey_app.web.auth import permission_required, record_audit
from survey_app.web.forms import TranslatedForm
from survey_app.web.officers import bp, wording


class SubscriptionsForm(TranslatedForm):
    digest = BooleanField(_l("Weekly digest of alerts (Monday 07:00)"))
    frequency = SelectField(_l("Report by e-mail"), choices=[
        SelectChoice("", _l("None")), SelectChoice("month", _l("Every month")),
        SelectChoice("quarter", _l("Every quarter"))])
    unit = SelectField(_l("Report of"))
    language = SelectField(_l("Language of the e-mails"))


@bp.route("/subscriptions", methods=["GET", "POST"])
@permission_required(Action.VIEW_REPORTS)
def subscriptions():
    units = units_in_scope(db.session, current_user)
    form = SubscriptionsForm()
    form.unit.choices = ([SelectChoice("", _("All my units"))] if current_user.unit is None else []) + [
        SelectChoice(u.code, u.name) for u in units]
    form.language.choices = [SelectChoice(code, code.upper()) for code in UI_LANGUAGES]
    current = subscriptions_of(db.session, current_user)
    if request.method == "GET":
        report = next((s for s in current if s.kind == REPORT), None)
        form.digest.data = any(s.kind == DIGEST for s in current)
        form.frequency.data = report.frequency if report else ""
        form.unit.data = report.unit.code if report and report.unit else (
            "" if current_user.unit is None else current_user.unit.code)
        form.language.data = current[0].language if current else wording.language()
    if form.validate_on_submit():
        unit = next((u for u in units if u.code == form.unit.data), None)
        save_choice(db.session, current_user, Choice(digest=form.digest.data, report_frequency=form.frequency.data or None,
                                                     report_unit=unit, language=form.language.data),
                    now=datetime.now(timezone.utc))
        record_audit(AuditAction.SUBSCRIPTION_SAVE, unit, kind=",".join(
            [DIGEST] * bool(form.digest.data) + [form.frequency.data] * bool(form.frequency.data)) or "none")
        db.session.commit()
        flash(_("Your e-mail subscriptions are saved."))
        return redirect(url_for(".subscriptions"))
    return render_template("officers/subscriptions.html", language=wording.language(), form=form)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; mail clients post List-Unsubscribe=One-Click without a session
def unsubscribe_link(token: str):
    subscription_id = token_subscription(current_app.secret_key, token)
    if subscription_id is None:
        abort(404)
    if request.method == "GET":  # a GET writes nothing: the page asks for the click that posts
        return render_template("officers/unsubscribe.html", language=wording.language(), token=token)
    ended = unsubscribe(db.session, subscription_id)
    if ended is not None:
        audit.record(db.session, ended.user, AuditAction.SUBSCRIPTION_END, ended.unit, kind=ended.kind)
    db.session.commit()
    return render_template("officers/unsubscribe.html", language=wording.language(), token=None)
