"""The web layer, grouped by who each page is for; handlers are thin: parse, call a service,
render.

- ``public/``: citizens, no account: home, open link, invitation, kiosk;
- ``staff/``: signed-in staff, officers and admins at the one-stop shop: slips, posters, kiosks;
- ``officers/``: reform officers' reports (pages and file downloads);
- ``api/``: the REST API for the one-stop software;
- shared: ``auth.py`` (sign-in and the permission checks), ``errors.py`` (error pages),
  ``templating.py`` (filters and template globals), ``urls.py`` (addresses handed to citizens).
"""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Every blueprint of the app, registered here and nowhere else."""
    from survey_app.web import api, auth, errors, officers, public, staff, templating

    for blueprint in (*public.BLUEPRINTS, auth.bp, staff.bp, officers.bp, api.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    templating.register(app)
