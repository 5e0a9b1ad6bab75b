"""The forms of signed-in staff, officers and admins; every label and message is translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from survey_app.domain.text import is_plain_text
from survey_app.reports.slips import SLIPS_PER_PAGE
from survey_app.services.invitations import MAX_PER_REQUEST
from survey_app.services.kiosks import MAX_NAME_LENGTH
from survey_app.web.forms import PlainText, TranslatedForm


def _strip(value: str | None) -> str | None:
    # Only plain text is trimmed: str.strip() would also drop a trailing control character
    # (U+0085, U+001F), which must reach PlainText and be refused, as the API refuses it.
    return value.strip() if value and is_plain_text(value) else value


REQUIRED_UNIT = _l("Please choose a unit.")


class SlipsForm(TranslatedForm):
    unit = SelectField(_l("Unit"), coerce=int, validators=[InputRequired(message=REQUIRED_UNIT)])
    count = IntegerField(_l("Number of slips"), default=SLIPS_PER_PAGE, validators=[
        InputRequired(message=_l("Please give a number of slips.")),
        NumberRange(min=1, max=MAX_PER_REQUEST,
                    message=_l("Please give a number between %(min)d and %(max)d.")),
    ])
    procedure = StringField(_l("Procedure code (optional)"), filters=[_strip], validators=[
        PlainText(), Optional(), Length(max=64, message=_l("Please use at most %(max)d characters.")),
    ])


class RegisterKioskForm(TranslatedForm):
    unit = SelectField(_l("Unit"), validators=[InputRequired(message=REQUIRED_UNIT)])
    name = StringField(_l("Name of the kiosk (e.g. Counter 1, ground floor)"), filters=[_strip], validators=[
        PlainText(), InputRequired(message=_l("Please give the kiosk a name.")),
        Length(max=MAX_NAME_LENGTH, message=_l("Please use at most %(max)d characters.")),
    ])
