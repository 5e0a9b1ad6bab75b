"""What templates get besides their context: filters and a few globals."""

from __future__ import annotations

from babel import Locale
from flask import Flask
from flask_babel import get_locale

from survey_app.domain.permissions import Action


def language_name(code: str) -> str:
    """A language's own name ("Tiếng Việt", "English"), as speakers look for it in a switch."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def ui_language() -> str:
    """The language the page's own text is in (``?lang=``, else Vietnamese), for <html lang>
    on pages whose view names no questionnaire language."""
    return str(get_locale() or "vi")


def register(app: Flask) -> None:
    from survey_app.web.auth import current_user_may
    from survey_app.web.public.answering import language_links

    app.add_template_filter(language_name)
    app.add_template_global(language_links)
    app.add_template_global(ui_language)
    # {% if may(Action.MANAGE_KIOSKS) %}: the same rule as the views' permission_required.
    app.add_template_global(current_user_may, "may")
    app.add_template_global(Action, "Action")
