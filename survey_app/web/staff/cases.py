"""``/staff/cases``: citizens' reply requests (services/cases.py). Staff see their unit's queue,
overdue first, each case with its history, its messages' delivery and the forms to acknowledge
and answer it; officers see the cases escalated to them, their texts and never their contacts.
A case outside the reader's scope is a 404, as a case that does not exist.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from survey_app.domain.cases import CaseStatus, Cause, is_case_number
from survey_app.domain.permissions import Action
from survey_app.extensions import db
from survey_app.models import Case
from survey_app.reports.case_figures import CAUSE_NAMES
from survey_app.services import cases as case_service
from survey_app.services.accounts import units_in_scope
from survey_app.web.auth import current_user_may, permission_required, require_scope
from survey_app.web.forms import PlainText, TranslatedForm
from survey_app.web.staff import bp
from survey_app.web.urls import public_url

STATUS_NAMES = {CaseStatus.NEW: _l("New"), CaseStatus.ACKNOWLEDGED: _l("Acknowledged"),
                CaseStatus.ANSWERED: _l("Answered"), CaseStatus.CLOSED: _l("Closed")}
EVENT_NAMES = {
    "received": _l("Received"), "confirmed": _l("E-mail address confirmed"), "acknowledged": _l("Acknowledged"),
    "answered": _l("Answered"), "reopened": _l("Reopened by the citizen"), "rated": _l("Rated by the citizen"),
    "closed": _l("Closed"), "escalated": _l("Escalated to the officers above"), "contact_deleted": _l("Contact deleted"),
}
MAX_ANSWER_LENGTH = 4000


class AnswerForm(TranslatedForm):
    text = TextAreaField(_l("Answer to the citizen"), filters=[lambda v: v.strip(" \t\r\n") if v else v], validators=[
        PlainText(multiline=True), DataRequired(message=_l("Please write the answer.")),
        Length(max=MAX_ANSWER_LENGTH, message=_l("Please use at most %(max)d characters."))])
    cause = SelectField(_l("Cause"), choices=[SelectChoice("", _l("Choose the cause")),
                                              *(SelectChoice(str(c), n) for c, n in CAUSE_NAMES.items())],
                        validators=[AnyOf([str(c) for c in Cause], message=_l("Please choose the cause."))])


class StepForm(TranslatedForm):
    pass


def _rules() -> case_service.CaseRules:
    return case_service.CaseRules.from_config(current_app.config)


def _today():
    return _rules().today(datetime.now(timezone.utc))


def _moment(value: datetime | None) -> str:
    return format_datetime(value.astimezone(_rules().tz), "short") if value else ""


def _scoped_case(number: str) -> Case:
    case = case_service.case_by_number(db.session, number) if is_case_number(number) else None
    if case is None:
        abort(404)
    require_scope(case.unit, refusal=404)
    return case


def _deadline(case: Case):
    return case.acknowledge_by if case.status == CaseStatus.NEW else case.answer_due


@bp.get("/cases")
@permission_required(Action.VIEW_CASES)
def cases():
    status = request.args.get("status") or None
    if status not in (None, *CaseStatus.__members__.values()):
        abort(400, description=_("There is no such status."))
    today = _today()
    unit_ids = {u.id for u in units_in_scope(db.session, current_user)}
    found = case_service.queue(db.session, unit_ids, status=status, today=today,
                               escalated_only=not current_user_may(Action.HANDLE_CASES))
    rows = [{"number": c.number, "unit": c.unit.name, "status": STATUS_NAMES[CaseStatus(c.status)],
             "received": c.received_on.strftime("%d/%m/%Y"),
             "deadline": _deadline(c).strftime("%d/%m/%Y") if c.status in (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED) else "",
             "overdue": case_service.is_overdue(c, today), "escalated": c.escalated_at is not None,
             "text": c.text, "href": url_for(".case", number=c.number)} for c in found]
    statuses = [(str(s), name) for s, name in STATUS_NAMES.items()]
    return render_template("staff/cases.html", rows=rows, status=status or "", statuses=statuses,
                           handles=current_user_may(Action.HANDLE_CASES))


@bp.get("/cases/<number>")
@permission_required(Action.VIEW_CASES)
def case(number: str):
    from survey_app.jobs.case_notices import CaseNotices, deliveries

    case = _scoped_case(number)
    user = current_user._get_current_object()
    contact = CaseNotices(db.session).contact(case) if case_service.contact_visible_to(case, user) else None
    history = [{"what": EVENT_NAMES.get(e.what, e.what), "when": _moment(e.occurred_at) or e.occurred_on.strftime("%d/%m/%Y"),
                "who": e.user.email if e.user else ""} for e in case.events]
    handles = current_user_may(Action.HANDLE_CASES)
    return render_template(
        "staff/case.html", case=case, contact=contact, history=history, handles=handles,
        status=STATUS_NAMES[CaseStatus(case.status)], cause=CAUSE_NAMES[Cause(case.cause)] if case.cause else None,
        overdue=case_service.is_overdue(case, _today()), deliveries=deliveries(db.session, case),
        moment=_moment, step_form=StepForm(), answer_form=AnswerForm(formdata=None))


@bp.post("/cases/<number>/acknowledge")
@permission_required(Action.HANDLE_CASES)
def acknowledge_case(number: str):
    case = _scoped_case(number)
    if not StepForm().validate_on_submit():
        flash(_("Your session expired. Please try again."), "error")
        return redirect(url_for(".case", number=number))
    try:
        case_service.acknowledge(db.session, case, current_user._get_current_object(), datetime.now(timezone.utc), _rules())
    except case_service.CaseError:
        db.session.rollback()
        flash(_("This case cannot be acknowledged now."), "error")
        return redirect(url_for(".case", number=number))
    db.session.commit()
    flash(_("Case %(number)s acknowledged.", number=number), "info")
    return redirect(url_for(".case", number=number))


@bp.post("/cases/<number>/answer")
@permission_required(Action.HANDLE_CASES)
def answer_case(number: str):
    from survey_app.jobs.case_notices import CaseNotices

    case = _scoped_case(number)
    form = AnswerForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return redirect(url_for(".case", number=number))
    try:
        token = case_service.answer(db.session, case, current_user._get_current_object(), text=form.text.data,
                                    cause=form.cause.data, now=datetime.now(timezone.utc), rules=_rules())
        CaseNotices(db.session).answered(case, public_url("replies.answer", token=token))
    except case_service.CaseError:
        db.session.rollback()
        flash(_("This case cannot be answered now."), "error")
        return redirect(url_for(".case", number=number))
    db.session.commit()
    flash(_("Case %(number)s answered; the citizen is sent the answer.", number=number), "info")
    return redirect(url_for(".case", number=number))
