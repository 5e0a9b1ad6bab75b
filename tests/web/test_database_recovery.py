"""After the database was unavailable, the first request once it is back succeeds: a request
that meets the fault gets a 503 page in the reader's language (stored nothing), and the pool's
connections made meanwhile are thrown away."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from factories import criteria_codes, sipas, unit_tree
from pages import survey_fields
from sqlalchemy import create_engine, func, select, text

from survey_app.extensions import db
from survey_app.models import Response


@pytest.fixture
def unit(app):
    with app.app_context():
        unit_tree(db.session, "STP")
        db.session.commit()


def answer(client, lang: str = "vi"):
    fields = survey_fields(client, f"/u/STP?lang={lang}")
    return client.post(f"/u/STP?lang={lang}", data={**fields, **{c: "4" for c in criteria_codes(sipas())}})


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_sqlite_a_file_gone_for_a_moment(app, client, unit):
    if app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0] != "sqlite":
        pytest.skip("the SQLite fault")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    aside = path.with_name(path.name + ".aside")
    assert answer(client).status_code == 302
    fields = survey_fields(client, "/u/STP?lang=en")
    # The fault: the file is moved away while the app opens new connections (SQLite then
    # creates an empty file and connects to it, as a connection made during an outage would
    # be left unusable).
    with app.app_context():
        db.engine.dispose()
    os.rename(path, aside)
    try:
        during = client.post("/u/STP?lang=en", data={**fields, **{c: "4" for c in criteria_codes(sipas())}})
        assert during.status_code == 503
        assert "The service is unavailable for a moment" in during.get_data(as_text=True)
        assert "Retry-After" in during.headers
    finally:
        path.unlink(missing_ok=True)
        os.rename(aside, path)
    # Back: the very next request works, and stores.
    assert answer(client).status_code == 302
    assert stored(app) == 2


def test_postgresql_backends_terminated(app, client, unit):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the PostgreSQL fault")
    assert answer(client).status_code == 302
    # Another connection ends every backend of this database but its own, the app's pooled
    # connections among them (as a restart of the server would).
    killer = create_engine(url)
    try:
        with killer.connect() as connection:
            ended = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        assert ended >= 1
    finally:
        killer.dispose()
    assert answer(client).status_code == 302
    assert stored(app) == 2


def test_a_database_fault_on_the_api_is_a_json_503(app, client, unit):
    if app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0] != "sqlite":
        pytest.skip("the SQLite fault")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    aside = path.with_name(path.name + ".aside")
    with app.app_context():
        db.engine.dispose()
    os.rename(path, aside)
    try:
        response = client.get("/api/v1/invitations/0", headers={"Authorization": "Bearer sk_x"})
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "service_unavailable"
    finally:
        path.unlink(missing_ok=True)
        os.rename(aside, path)
    assert client.get("/api/v1/invitations/0", headers={"Authorization": "Bearer sk_x"}).status_code == 401
