"""``backup`` and ``restore``: a backup restored into an empty database holds everything, and a
restore never touches a database that has tables.

On PostgreSQL the restore goes into ``<test database>_restore`` on the same server, created and
dropped here (CI runs the SQLite and PostgreSQL halves side by side, each on its own names).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Answer, Response, Unit
from tests.factories import cycled_submission, full_submission, invitations, record, sipas, unit_tree

MARCH = datetime(2026, 3, 2, 2, 15, tzinfo=timezone.utc)


@pytest.fixture
def empty_database_url(migrated, tmp_path):
    url = make_url(migrated)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    scratch = url.set(database=f"{url.database}_restore")
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)')
    with server.connect() as connection:
        connection.execute(drop)
        connection.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    yield scratch.render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(drop)
    server.dispose()


def _app_on(url: str):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url,
                       "SQLALCHEMY_DATABASE_URI": url})


def _every_row() -> dict[str, list[tuple]]:
    return {table.name: [tuple(row) for row in db.session.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables}


def test_a_restored_backup_holds_every_unit_and_response(app, runner, tmp_path, empty_database_url):
    q = sipas()
    with app.app_context():
        units = unit_tree(db.session, "HCM > Q1 > P-BN, P-DK", names={"Q1": "UBND Quận 1"})
        for i in range(9):
            record(db.session, units[("P-BN", "P-DK", "Q1")[i % 3]], q, cycled_submission(q),
                   at=MARCH + timedelta(minutes=i))
        record(db.session, units["P-DK"], q, full_submission(q, 4, TC1=0, comment="Cán bộ tận tình, cảm ơn!"),
               at=MARCH + timedelta(days=1), channel="paper")
        invitations(db.session, units["Q1"], count=2, at=MARCH)
        db.session.commit()
        before = _every_row()
    assert len(before["units"]) == 4 and len(before["responses"]) == 10

    backup = tmp_path / "survey.backup"
    made = runner.invoke(args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    assert backup.stat().st_size > 0 and not backup.with_name("survey.backup.partial").exists()
    # Password hashes and comments: readable by the owner only, whatever the umask (issue 16).
    assert backup.stat().st_mode & 0o777 == 0o600
    again = runner.invoke(args=["backup", str(backup)])
    assert again.exit_code == 1 and "exists already" in again.output

    restored = _app_on(empty_database_url)
    done = restored.test_cli_runner().invoke(args=["restore", str(backup)])
    assert done.exit_code == 0, done.output
    assert "4 units, 10 responses" in done.output
    with restored.app_context():
        assert _every_row() == before
        commented = db.session.scalars(select(Response).where(Response.comment.is_not(None))).one()
        assert (commented.unit.code, commented.submitted_at) == ("P-DK", MARCH + timedelta(days=1))
        assert commented.comment == "Cán bộ tận tình, cảm ơn!"
        assert db.session.scalar(select(Unit.name).where(Unit.code == "Q1")) == "UBND Quận 1"
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 9 * 22 + 22
        # New rows take new ids: PostgreSQL's sequences came back with the data.
        newest = record(db.session, db.session.scalars(select(Unit).where(Unit.code == "HCM")).one(), q,
                        full_submission(q, 5), at=MARCH + timedelta(days=2))
        db.session.commit()
        assert newest.id == max(row[0] for row in before["responses"]) + 1
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_database_with_tables_and_changes_nothing(app, runner, tmp_path):
    with app.app_context():
        unit_tree(db.session, "HCM > Q1")
        db.session.commit()
        backup = tmp_path / "survey.backup"
        assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
        record(db.session, db.session.scalars(select(Unit).where(Unit.code == "Q1")).one(), sipas(),
               full_submission(sipas(), 3), at=MARCH)
        db.session.commit()
        before = _every_row()

        refused = runner.invoke(args=["restore", str(backup)])
        assert refused.exit_code == 1
        assert "is not empty" in refused.output and "nothing was changed" in refused.output
        nowhere = runner.invoke(args=["backup", str(tmp_path / "missing" / "survey.backup")])
        assert nowhere.exit_code == 1 and "is not a directory" in nowhere.output
        not_a_backup = tmp_path / "notes.txt"
        not_a_backup.write_text("units: HCM, Q1\n")
        wrong = runner.invoke(args=["restore", str(not_a_backup)])
        assert wrong.exit_code == 1 and "is not a backup made by `backup`" in wrong.output

        db.session.remove()
        assert _every_row() == before
        assert len(before["responses"]) == 1
