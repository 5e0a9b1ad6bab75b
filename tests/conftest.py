"""Fixtures shared by every test.

The database comes from ``SURVEY_APP_TEST_DATABASE_URL``: ``sqlite`` (the default) makes a
fresh SQLite file per test session; a PostgreSQL URL uses that database, whose tables are
dropped and rebuilt. Either way the schema is built by the Alembic migrations, never by
``create_all``, and every test starts from empty tables.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from survey_app import create_app
from survey_app.extensions import db
from survey_app.jobs.dispatch import wait_for_job_threads

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("SURVEY_APP_TEST_DATABASE_URL", "sqlite")
    if url == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def migrated(database_url) -> str:
    app = create_app(_test_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A fixed contact key (domain/contact_cipher.py), not the repository's instance/contact_key.
        "CONTACT_KEYS": "yqu1Q6WDc0bu2vyyp_eW0NAa3RH4bXd-0pMk-Ex_vmU=",
    }


@pytest.fixture
def app(migrated, tmp_path):
    app = create_app({**_test_config(migrated), "JOBS_DIR": str(tmp_path / "jobs"),
                      "MAIL_FILE_PATH": str(tmp_path / "outbox")})
    yield app
    # A background job still making a file in a thread must end before its tables are emptied.
    wait_for_job_threads(app)
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free local port, for the browser and concurrency tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) the app sends to; ``smtp_server.received`` is what came."""
    from tests.outbox_receivers import SmtpServer

    server = SmtpServer().start()
    app.config.update(server.settings())
    app.extensions["mailman"].backend = "smtp"
    app.extensions["mailman"].server, app.extensions["mailman"].port = "127.0.0.1", server.port
    yield server
    server.stop()
