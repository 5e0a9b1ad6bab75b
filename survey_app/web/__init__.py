"""The web layer, grouped by who each page is for; handlers are thin: parse, call a service,
render.

- ``public/``: citizens, no account: home, open link, invitation, kiosk;
- ``staff/``: signed-in staff, officers and admins at the one-stop shop: slips, posters, kiosks;
- ``officers/``: reform officers' reports (pages and file downloads);
- ``jobs.py``: the page and file of a background job (slip sheets, report files);
- ``api/``: the REST API for the one-stop software;
- shared: ``auth.py`` (sign-in and the permission checks), ``errors.py`` (error pages),
  ``forms.py`` (translated forms, the text rule), ``security.py`` (what every request and
  response goes through: refused addresses, strict headers, Secure cookies), ``urls.py``
  (addresses handed to citizens); the template filters and globals are below.
"""

from __future__ import annotations

from babel import Locale
from flask import Flask
from flask_babel import get_locale

from survey_app.domain.permissions import Action


def register_blueprints(app: Flask) -> None:
    """Every blueprint of the app, its error pages, headers and template helpers: registered
    here and nowhere else."""
    from survey_app.web import api, auth, errors, jobs, officers, public, security, staff

    for blueprint in (*public.BLUEPRINTS, auth.bp, staff.bp, officers.bp, api.bp, jobs.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    security.register(app)
    _register_template_helpers(app)


def language_name(code: str) -> str:
    """A language's own name ("Tiếng Việt", "English"), as speakers look for it in a switch."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def ui_language() -> str:
    """The language the page's own text is in (``?lang=``, else Vietnamese), for <html lang>
    on pages whose view names no questionnaire language."""
    return str(get_locale() or "vi")


def _register_template_helpers(app: Flask) -> None:
    from survey_app.web.auth import current_user_may
    from survey_app.web.public.answering import language_links

    app.add_template_filter(language_name)
    app.add_template_global(language_links)
    app.add_template_global(ui_language)
    # {% if may(Action.MANAGE_KIOSKS) %}: the same rule as the views' permission_required.
    app.add_template_global(current_user_may, "may")
    app.add_template_global(Action, "Action")
