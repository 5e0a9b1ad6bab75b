"""What every form of ours shares: translated messages, WTForms' own ones included.

WTForms ships no Vietnamese, so our validators carry messages of ours, and ``TranslatedForm``
routes the few messages WTForms writes itself (a value that is not a number, a choice that
was not offered, a stale CSRF token) through our catalog; ``WTFORMS_MESSAGES`` lists them so
that extraction finds them and the translation test insists on their Vietnamese.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import StopValidation

from survey_app.domain.text import is_plain_text


def N_(message: str) -> str:  # noqa: N802  (marks a string for extraction; translated when shown)
    return message


# The messages WTForms produces on its own (wtforms/fields, wtforms/validators, wtforms/csrf)
# that one of our forms can show; translated through our catalog by TranslatedForm.
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Not a valid integer value."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("The CSRF token is missing."),
    N_("The CSRF token is invalid."),
    N_("The CSRF token has expired."),
    N_("The CSRF tokens do not match."),
)


class _OurCatalog:
    """What WTForms asks to translate its own messages: our catalog, in the reader's language."""

    def gettext(self, message: str) -> str:
        return gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


class TranslatedForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _OurCatalog()


class PlainText:
    """Refuses text that ``domain/text.py`` refuses (control characters, a NUL above all), the
    same rule as the API's and the importers'; first in a field's validators, so that nothing
    else ever looks at such a value, and the database never sees it."""

    def __init__(self, *, multiline: bool = False, message=None):
        self.multiline = multiline
        self.message = message or _l("Please remove the invisible control characters from this text.")

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and not is_plain_text(field.data, multiline=self.multiline):
            field.errors[:] = []
            raise StopValidation(str(self.message))
