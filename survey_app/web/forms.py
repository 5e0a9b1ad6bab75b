"""What every form of ours shares: translated messages, WTForms' own ones included.

WTForms ships no Vietnamese, so our validators carry messages of ours, and ``TranslatedForm``
routes the few messages WTForms writes itself (a value that is not a number, a choice that
was not offered, a stale CSRF token) through our catalog; ``WTFORMS_MESSAGES`` lists them so
that extraction finds them and the translation test insists on their Vietnamese.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from flask_wtf import FlaskForm


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
