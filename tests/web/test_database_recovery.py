"""After the database was unavailable, the first request once it is back succeeds: a request
that meets the fault gets a 503 page in the reader's language (stored nothing), and the pool's
connections made meanwhile are thrown away. The same after a spell in which the database was
read-only: connections opened during it would stay read-only (issue 16)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from factories import criteria_codes, sipas, unit_tree
from pages import survey_fields
from sqlalchemy import create_engine, func, make_url, select, text

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


@contextmanager
def database_down(app):
    """The app's database unavailable, then back, on whichever database the suite runs on.

    SQLite: the file is moved away (SQLite then creates an empty file and connects to it, as a
    connection made during an outage would be left unusable). PostgreSQL: the database refuses
    new connections and every existing one, the app's pooled ones among them, is ended (as a
    restart of the server would).
    """
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        db.engine.dispose()
    if url.startswith("sqlite"):
        # The database is its file and, in WAL mode, its -wal and -shm files: all moved away
        # together (a -wal left behind would be replayed into the empty file SQLite creates,
        # and then into the database put back: "disk I/O error" for every later test).
        path = Path(url.removeprefix("sqlite:///"))
        files = [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")]
        moved = [(f, f.with_name(f.name + ".aside")) for f in files if f.exists()]
        for f, aside in moved:
            os.rename(f, aside)
        try:
            yield
        finally:
            for f in files:
                f.unlink(missing_ok=True)
            for f, aside in moved:
                os.rename(aside, f)
        return
    name = make_url(url).database
    # ALTER DATABASE must run from another database of the same server, outside a transaction.
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name"), {"name": name})
        try:
            yield
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    finally:
        admin.dispose()


@contextmanager
def database_read_only(app):
    """The app's database read-only for new connections, then writable again, as a full disk's
    guard or a standby would make it. The pool starts empty, as after a restart of the worker or
    the database: connections opened before the spell are not read-only.

    SQLite: the file cannot be written (mode 0444; root ignores modes, so for root the file is
    made immutable as well). PostgreSQL: ``default_transaction_read_only`` for the database,
    which every session opened meanwhile takes (and keeps).
    """
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        db.engine.dispose()
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        mode = path.stat().st_mode
        immutable = os.geteuid() == 0
        if immutable and shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: the SQLite file cannot be made read-only")
        path.chmod(0o444)
        if immutable:
            subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            if immutable:
                subprocess.run(["chattr", "-i", str(path)], check=True)
            path.chmod(mode)
        return
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        try:
            yield
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
    finally:
        admin.dispose()


def test_the_first_submission_after_a_read_only_spell_is_stored(app, client):
    """Issue 16: a worker that served pages while the database was read-only kept its read-only
    connection, and refused the first answer after the database was writable again."""
    with app.app_context():
        unit_tree(db.session, "STP; SXD")
        db.session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    marks = {c: "4" for c in criteria_codes(sipas())}
    assert answer(client).status_code == 302
    with database_read_only(app):
        # An answer is refused with the outage's page, and nothing is stored.
        refused = client.post("/u/STP?lang=en", data={**survey_fields(client, "/u/STP?lang=en"), **marks})
        assert refused.status_code == 503
        assert "The service is unavailable for a moment" in refused.get_data(as_text=True)
        assert "Retry-After" in refused.headers
        # Pages are still served: this one is read from the database (its first reader here).
        survey_fields(client, "/u/SXD?lang=en")
    # Writable again: the reader's next try is stored.
    fields = survey_fields(client, "/u/STP?lang=en")
    assert client.post("/u/STP?lang=en", data={**fields, **marks}).status_code == 302
    assert stored(app) == 2


def test_a_submission_during_an_outage_gets_a_503_and_the_next_one_after_it_is_stored(app, client, unit):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert answer(client).status_code == 302
    fields = survey_fields(client, "/u/STP?lang=en")
    with database_down(app):
        during = client.post("/u/STP?lang=en", data={**fields, **{c: "4" for c in criteria_codes(sipas())}})
        assert during.status_code == 503
        assert "The service is unavailable for a moment" in during.get_data(as_text=True)
        assert "Retry-After" in during.headers
    # Back: the very next request works, and stores.
    assert answer(client).status_code == 302
    assert stored(app) == 2


def test_a_database_fault_on_the_api_is_a_json_503(app, client, unit):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with database_down(app):
        response = client.get("/api/v1/invitations/0", headers={"Authorization": "Bearer sk_x"})
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "service_unavailable"
    assert client.get("/api/v1/invitations/0", headers={"Authorization": "Bearer sk_x"}).status_code == 401


def test_a_database_fault_on_the_api_is_not_taken_for_a_fault_of_the_rate_limits(app, client, unit):
    """The API's rate limit looks the key up first; a database fault there must not make the
    limiter believe its own storage (Redis) failed and count in each process's memory."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    limiter_log = logging.getLogger("flask-limiter")
    limiter_log.addHandler(handler)
    try:
        with database_down(app):
            response = client.get("/api/v1/invitations/0", headers={"Authorization": "Bearer sk_x"})
            assert response.status_code == 503
    finally:
        limiter_log.removeHandler(handler)
    assert [record.getMessage() for record in records] == []
    assert client.get("/api/v1/invitations/0", headers={"Authorization": "Bearer sk_x"}).status_code == 401


def test_a_database_error_logs_no_value_a_citizen_wrote(app, client, unit, caplog):
    """Issue 16: the log line of a failed INSERT carried its parameters, the comment unmasked."""
    from sqlalchemy import event

    app.config["PROPAGATE_EXCEPTIONS"] = False
    secret = "Gọi tôi 0912 345 678 bí mật"
    fields = survey_fields(client, "/u/STP?lang=en")

    def broken_insert(connection, cursor, statement, parameters, context, executemany):
        # The responses table gone for a moment: an error raised by the database itself.
        return statement.replace("INSERT INTO responses ", "INSERT INTO responses_gone ", 1), parameters

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", broken_insert, retval=True)
    try:
        with caplog.at_level(logging.DEBUG):
            failed = client.post("/u/STP?lang=en", data={**fields, "comment": secret,
                                                         **{c: "4" for c in criteria_codes(sipas())}})
    finally:
        event.remove(engine, "before_cursor_execute", broken_insert)
    assert failed.status_code in (500, 503)
    logged = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    assert "responses_gone" in logged           # the failure is logged, with its statement...
    assert "0912" not in logged and "bí mật" not in logged   # ...and none of its values
    assert stored(app) == 0
