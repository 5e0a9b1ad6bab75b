"""The survey form, built from a questionnaire in the citizen's language.

A plain valid post (the common case) is read straight against the questionnaire
(``posted_submission``, domain/posted_form.py) without building a form; anything else goes
through the full form, whose class is built once per questionnaire, language and locale.
"""

from __future__ import annotations

import re

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from wtforms import HiddenField, RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from survey_app.domain.posted_form import plain_submission
from survey_app.domain.questionnaire import NO_OPINION, Questionnaire
from survey_app.domain.submission import EXPECTATIONS, Submission, says_nothing
from survey_app.domain.text import normalise_newlines
from survey_app.web.forms import PlainText, TranslatedForm
from survey_app.web.public.protection import with_honeypot

SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SurveyForm(TranslatedForm):
    """Base class; ``survey_form_class`` adds one field per question."""

    submission_key = HiddenField(validators=[InputRequired(), Regexp(SUBMISSION_KEY)])
    # When the page was served, signed (web/public/screening.py); any value is accepted: a
    # missing or forged one only makes the time taken unknown.
    served_at = HiddenField()

    questionnaire: Questionnaire  # set on each generated subclass

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then the rule of every way in (domain.submission): a form
        that answers nothing is refused, on the open link, the invitation and the kiosk alike,
        before anything is stored or an invitation is claimed."""
        if not super().validate(extra_validators):
            return False
        if says_nothing(self.to_submission()):
            self.form_errors.append(_("You have not answered any question. Please answer at least "
                                      "one question, or write a comment, before sending."))
            return False
        return True

    def to_submission(self) -> Submission:
        q = self.questionnaire
        ratings = {c.code: int(self[c.code].data) for c in q.criteria if self[c.code].data}
        expectations = frozenset(self[EXPECTATIONS].data or ()) if q.expectations else frozenset()
        profile = {p.code: self[p.code].data for p in q.profile if self[p.code].data}
        comment = (self["comment"].data or "").strip() or None if q.comment else None
        return Submission(ratings, expectations, profile, comment)


def _at_most(count: int):
    def check(form, field) -> None:
        if field.data and len(field.data) > count:
            raise ValidationError(_("Please choose at most %(count)d options.", count=count))
    return check


def _may_be_blank(form, field) -> None:
    """A question left unanswered is fine; unlike WTForms' Optional, a value of spaces is not
    "unanswered" (Optional would also wipe the "not offered" error and let it through)."""
    if not field.raw_data or field.raw_data == [""]:
        field.errors[:] = []
        raise StopValidation()


def _normalise_newlines(value: str | None) -> str | None:
    """Browsers send a textarea's line breaks as CRLF but count them as one character against
    ``maxlength``: count them the same way, or a comment the browser accepted would be refused."""
    return normalise_newlines(value) if value else value


def survey_form_class(q: Questionnaire, language: str) -> type[SurveyForm]:
    """A form class whose fields are named by the questionnaire's codes."""
    text = lambda t: q.text(t, language)  # noqa: E731
    levels = [SelectChoice(str(level.value), text(level.label)) for level in q.scale.levels]
    if q.scale.no_opinion:
        levels.append(SelectChoice(str(NO_OPINION), text(q.scale.no_opinion)))
    required = InputRequired(message=_("Please answer this question."))
    # WTForms has no Vietnamese messages: say it ourselves for a value that is not offered
    # (a tampered or outdated form), so that the citizen is answered in their language.
    not_offered = _("Please choose one of the options shown.")

    fields: dict[str, object] = {"questionnaire": q}
    for criterion in q.criteria:
        fields[criterion.code] = RadioField(
            text(criterion.text), choices=levels, invalid_choice_message=not_offered,
            validators=[required if criterion.required else _may_be_blank],
        )
    if q.expectations:
        fields[EXPECTATIONS] = CheckboxesField(
            text(q.expectations.question),
            choices=[SelectChoice(o.code, text(o.label)) for o in q.expectations.options],
            invalid_choice_message=not_offered,
            # No Optional(): it would wipe the "not offered" error of a blank or unknown code.
            validators=[_at_most(q.expectations.max_choices)],
        )
    for question in q.profile:
        fields[question.code] = RadioField(
            text(question.question),
            choices=[SelectChoice(o.code, text(o.label)) for o in question.options],
            invalid_choice_message=not_offered,
            validators=[_may_be_blank],
        )
    if q.comment:
        fields["comment"] = TextAreaField(
            text(q.comment.label),
            filters=[_normalise_newlines],
            validators=[PlainText(multiline=True), Optional(), Length(max=q.comment.max_length, message=_(
                "Please keep your comment under %(max)d characters.", max=q.comment.max_length))],
        )
    return type(f"{q.id.title()}SurveyForm", (SurveyForm,), fields)


# (questionnaire, language, locale, honeypot) -> form class. A class holds its labels and
# messages already translated, so the locale of the page is part of the key; the content hash
# makes an edited questionnaire file a new entry.
_FORM_CLASSES: dict[tuple, type[SurveyForm]] = {}


def form_key(q: Questionnaire, language: str) -> tuple:
    """What a survey form's content depends on, besides the questionnaire's page variant."""
    return q.id, q.version, q.content_hash, language, str(get_locale())


def survey_form(q: Questionnaire, language: str, *, honeypot: bool = False) -> type[SurveyForm]:
    """``survey_form_class`` (with the honeypot of open links when asked), built once."""
    key = (*form_key(q, language), honeypot)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        form_class = survey_form_class(q, language)
        if honeypot:
            form_class = with_honeypot(form_class)
        _FORM_CLASSES[key] = form_class
    return form_class


def csrf_enabled() -> bool:
    return current_app.config.get("WTF_CSRF_ENABLED", True)


def posted_submission(q: Questionnaire) -> Submission | None:
    """The submission of the posted form when the whole form is valid as it stands (CSRF token,
    submission key, answers); None when the full form must judge and explain it."""
    if csrf_enabled():
        try:
            validate_csrf(request.form.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))
        except ValidationError:
            return None
    if not SUBMISSION_KEY.match(request.form.get("submission_key") or ""):
        return None
    return plain_submission(q, request.form.getlist)
