"""Template filters."""

from __future__ import annotations

from babel import Locale
from flask import Flask


def language_name(code: str) -> str:
    """A language's own name ("Tiếng Việt", "English"), as speakers look for it in a switch."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def register(app: Flask) -> None:
    from survey_app.web.answering import language_links

    app.add_template_filter(language_name)
    app.add_template_global(language_links)
