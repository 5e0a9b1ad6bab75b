"""The forms a citizen fills about a case: the reply request, and the rating of the answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, RadioField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from survey_app.domain.cases import MAX_TEXT_LENGTH
from survey_app.domain.contacts import ContactError, email_address, vn_mobile
from survey_app.web.forms import PlainText, TranslatedForm

MAX_EMAIL_LENGTH = 254


def _strip(value):
    return value.strip(" \t\r\n") if isinstance(value, str) else value


def _valid(normalise, text: str) -> bool:
    try:
        normalise(text)
    except ContactError:
        return False
    return True


class ReplyRequestForm(TranslatedForm):
    text = TextAreaField(_l("What happened?"), filters=[_strip], validators=[
        PlainText(multiline=True), DataRequired(message=_l("Please say what happened.")),
        Length(max=MAX_TEXT_LENGTH, message=_l("Please use at most %(max)d characters."))])
    phone = TelField(_l("Mobile phone number"), filters=[_strip], validators=[
        PlainText(), Optional(), Length(max=20, message=_l("Please use at most %(max)d characters."))])
    email = EmailField(_l("E-mail address"), filters=[_strip], validators=[
        PlainText(), Optional(), Length(max=MAX_EMAIL_LENGTH, message=_l("Please use at most %(max)d characters."))])
    consent = BooleanField(_l("I agree that my contact is kept as described above."), validators=[
        InputRequired(message=_l("Please agree to how your contact is kept, or we cannot answer you."))])
    form_key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])

    def validate_phone(self, field) -> None:
        if field.data and not _valid(vn_mobile, field.data):
            raise ValidationError(_l("Please give a Vietnamese mobile number, for example 0912 345 678."))

    def validate_email(self, field) -> None:
        if field.data and not _valid(email_address, field.data):
            raise ValidationError(_l("Please give an e-mail address such as name@example.vn."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.phone.data or self.email.data) and not self.phone.errors and not self.email.errors:
            self.phone.errors = [*self.phone.errors, str(_l("Please give a mobile phone number or an e-mail address."))]
            return False
        return valid


RESOLUTION_CHOICES = [SelectChoice("yes", _l("Yes")), SelectChoice("partly", _l("Partly")), SelectChoice("no", _l("No"))]
RATING_CHOICES = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


class AnswerRatingForm(TranslatedForm):
    resolution = RadioField(_l("Was the problem solved?"), choices=RESOLUTION_CHOICES, validators=[
        InputRequired(message=_l("Please say whether the problem was solved."))])
    rating = RadioField(_l("How well was your request handled? (1: very badly, 5: very well)"),
                        choices=RATING_CHOICES, validators=[
                            InputRequired(message=_l("Please rate how your request was handled."))])


class ReopenForm(TranslatedForm):
    pass
