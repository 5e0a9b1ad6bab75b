"""survey_app: citizen satisfaction surveys and SIPAS-style indices for one-stop shops."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from survey_app.config import bundled, configure
from survey_app.domain.catalog import Catalog, load_catalog
from survey_app.extensions import babel, csrf, db, limiter, login_manager, migrate

UI_LANGUAGES = ("vi", "en")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; refuses to start (QuestionnaireError) if a questionnaire file is invalid."""
    app = Flask(__name__, instance_relative_config=True)
    configure(app, test_config)
    if app.config["TRUSTED_PROXIES"]:
        # Behind a reverse proxy every request comes from the proxy's address; without this,
        # the per-address rate limits would count all citizens together.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"],
                                x_proto=app.config["TRUSTED_PROXIES"], x_host=app.config["TRUSTED_PROXIES"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(bundled("migrations")))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    from survey_app.messaging import init_messaging

    init_messaging(app)
    app.extensions["survey_catalog"] = load_catalog(
        Path(app.config["QUESTIONNAIRE_DIR"]), app.config["DEFAULT_QUESTIONNAIRE"]
    )

    from survey_app import models  # noqa: F401  (registers the tables for migrations)
    from survey_app.web import register_blueprints

    register_blueprints(app)

    from survey_app.cli import register_commands

    register_commands(app)
    return app


def catalog_of(app: Flask) -> Catalog:
    return app.extensions["survey_catalog"]


def _select_locale() -> str:
    """The citizen's explicit choice (?lang=), else Vietnamese: SIPAS is a Vietnamese survey."""
    if not has_request_context():
        return UI_LANGUAGES[0]
    chosen = request.args.get("lang")
    return chosen if chosen in UI_LANGUAGES else UI_LANGUAGES[0]
