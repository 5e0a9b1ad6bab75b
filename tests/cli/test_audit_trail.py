"""Commands that change or take out data leave an audit event, signed "cli:<system user>", in
the same transaction as their work: a refused command leaves none."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import pytest
from factories import full_submission, record, sipas, unit_tree
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.services.units import unit_by_code

PASSWORD = "correct horse battery"


@pytest.fixture
def cli(app, runner, monkeypatch):
    """The runner, run by the system user "nguyen" (getpass reads LOGNAME first)."""
    monkeypatch.setenv("LOGNAME", "nguyen")
    with app.app_context():
        unit_tree(db.session, "HCM > Q1 > P-BN; HCM > Q3")
        db.session.commit()
    return runner


def run(runner, *args: str, stdin: str | None = None):
    result = runner.invoke(args=list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result


def audit_rows(app) -> list[tuple]:
    """(operator, user id, action, unit code, detail) of every event, oldest first."""
    with app.app_context():
        return [(e.operator, e.user_id, e.action, e.unit.code if e.unit else None, e.detail)
                for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_units_volumes_and_responses_imports(app, cli, tmp_path):
    units_csv = tmp_path / "units.csv"
    units_csv.write_text("code,name,parent\nQ1,UBND Quận 1,HCM\nQ5,UBND Quận 5,HCM\n", encoding="utf-8")
    run(cli, "units", "import", str(units_csv))
    volumes_csv = tmp_path / "volumes.csv"
    volumes_csv.write_text("unit,channel,period_start,period_end,count\n"
                           "Q1,kiosk,2026-03-01,2026-03-31,300\nQ3,link,2026-03-01,2026-03-31,20\n")
    run(cli, "volumes", "import", str(volumes_csv))
    run(cli, "volumes", "import", str(volumes_csv))
    assert audit_rows(app) == [
        ("cli:nguyen", None, "units.import", None, {"created": 1, "updated": 1}),
        ("cli:nguyen", None, "volumes.import", None, {"added": 2, "replaced": 0}),
        ("cli:nguyen", None, "volumes.import", None, {"added": 0, "replaced": 2}),
    ]
    # A file with a bad row changes nothing, and says nothing happened.
    units_csv.write_text("code,name,parent\nQ7,UBND Quận 7,HCM\nQ8,,NOWHERE\n", encoding="utf-8")
    assert cli.invoke(args=["units", "import", str(units_csv)]).exit_code == 1
    assert len(audit_rows(app)) == 3


def test_responses_export_then_import(app, cli, tmp_path):
    with app.app_context():
        q1 = unit_by_code(db.session, "Q1")
        for level in (4, 5, 3):
            record(db.session, q1, sipas(), full_submission(sipas(), level),
                   at=datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc))
        db.session.commit()
    exported = tmp_path / "responses.csv"
    run(cli, "responses", "export", str(exported), "--questionnaire", "sipas")
    run(cli, "responses", "import", str(exported))
    assert audit_rows(app) == [
        ("cli:nguyen", None, "responses.export", None, {"count": 3, "questionnaire": "sipas"}),
        ("cli:nguyen", None, "responses.import", None, {"count": 3}),
    ]


def test_report_names_its_unit_period_format_and_language(app, cli, tmp_path):
    run(cli, "report", "--from", "2026-01-01", "--to", "2026-03-31", "--unit", "Q1", "--lang", "en",
        "-o", str(tmp_path / "q1.xlsx"))
    assert audit_rows(app) == [("cli:nguyen", None, "report.download", "Q1", {
        "end": "2026-03-31", "format": "xlsx", "lang": "en", "questionnaire": "sipas", "start": "2026-01-01"})]
    result = cli.invoke(args=["report", "--from", "2026-01-01", "--to", "2026-03-31", "--unit", "NOWHERE",
                              "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert len(audit_rows(app)) == 1


def test_users_created_disabled_and_enabled_never_with_their_password(app, cli):
    run(cli, "users", "create", "--email", "Lan@Q1.gov.vn", "--role", "staff", "--unit", "Q1",
        "--password-stdin", stdin=f"{PASSWORD}\n")
    run(cli, "users", "disable", "--email", "lan@q1.gov.vn")
    run(cli, "users", "enable", "--email", "lan@q1.gov.vn")
    run(cli, "users", "create", "--email", "boss@hcm.gov.vn", "--role", "admin", "--password-stdin",
        stdin=f"{PASSWORD}\n")
    assert audit_rows(app) == [
        ("cli:nguyen", None, "user.create", "Q1", {"email": "lan@q1.gov.vn", "role": "staff"}),
        ("cli:nguyen", None, "user.disable", "Q1", {"email": "lan@q1.gov.vn"}),
        ("cli:nguyen", None, "user.enable", "Q1", {"email": "lan@q1.gov.vn"}),
        ("cli:nguyen", None, "user.create", None, {"email": "boss@hcm.gov.vn", "role": "admin"}),
    ]
    # Refused: the same e-mail again, a password too short, an unknown account.
    for args, stdin in [
        (["users", "create", "--email", "lan@q1.gov.vn", "--role", "staff", "--unit", "Q1"], PASSWORD),
        (["users", "create", "--email", "new@q1.gov.vn", "--role", "staff", "--unit", "Q1"], "short"),
        (["users", "disable", "--email", "nobody@q1.gov.vn"], None),
    ]:
        assert cli.invoke(args=[*args, *(["--password-stdin"] if stdin else [])],
                          input=f"{stdin}\n" if stdin else None).exit_code == 1
    assert len(audit_rows(app)) == 4
    with app.app_context():
        assert PASSWORD not in json.dumps([e.detail for e in db.session.scalars(select(AuditEvent))])


def test_api_keys_created_and_revoked_never_with_the_key(app, cli):
    key = run(cli, "apikeys", "create", "--name", "Một cửa Q1", "--unit", "Q1").stdout.strip()
    run(cli, "apikeys", "revoke", "1")
    assert audit_rows(app) == [
        ("cli:nguyen", None, "apikey.create", "Q1", {"id": 1, "name": "Một cửa Q1"}),
        ("cli:nguyen", None, "apikey.revoke", "Q1", {"id": 1, "name": "Một cửa Q1"}),
    ]
    with app.app_context():
        stored = [(e.operator, e.action, json.dumps(e.detail)) for e in db.session.scalars(select(AuditEvent))]
    assert len(key) >= 32 and key not in repr(stored)
    assert cli.invoke(args=["apikeys", "revoke", "2"]).exit_code == 1
    assert cli.invoke(args=["apikeys", "create", "--name", "x", "--unit", "NOWHERE"]).exit_code == 1
    assert len(audit_rows(app)) == 2


def test_without_a_user_name_the_operator_is_the_uid(app, cli, monkeypatch):
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr("pwd.getpwuid", lambda uid: (_ for _ in ()).throw(KeyError(uid)))
    run(cli, "apikeys", "create", "--name", "Một cửa Q3", "--unit", "Q3")
    assert audit_rows(app)[0][0] == f"cli:uid{os.getuid()}"
