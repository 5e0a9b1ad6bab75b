"""``flask apikeys create | list | revoke``: a key is shown once and only its hash is kept."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from survey_app.extensions import db
from survey_app.models import ApiKey
from survey_app.services import api_keys, units
from survey_app.services.secrets import secret_hash

UNITS = "code,name,parent\nHCM,Thành phố Hồ Chí Minh,\nQ1,UBND Quận 1,HCM\nQ3,UBND Quận 3,HCM\n"
LINE = re.compile(r"^(\d+)\t(.+)\t(\S+)\t(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\t(active|revoked \S+)$")


@pytest.fixture
def with_units(app):
    with app.app_context():
        units.import_units(db.session, UNITS.encode())
        db.session.commit()
    return app


def create(runner, name="Phần mềm một cửa Quận 1", unit="Q1"):
    return runner.invoke(args=["apikeys", "create", "--name", name, "--unit", unit])


def stored_keys(app) -> list[ApiKey]:
    with app.app_context():
        rows = list(db.session.scalars(select(ApiKey).order_by(ApiKey.id)))
        for row in rows:
            _ = row.unit.code
            db.session.expunge(row)
        return rows


def test_create_prints_the_key_once_and_stores_only_its_hash(app, runner, with_units):
    before = datetime.now(timezone.utc)
    result = create(runner)
    assert result.exit_code == 0, result.output
    # Standard output holds the key alone, so that KEY=$(flask ... apikeys create ...) works.
    (key,) = result.stdout.splitlines()
    assert re.fullmatch(r"sk_[A-Za-z0-9_-]{43}", key)  # 32 random bytes
    assert result.output.count(key) == 1
    assert "cannot be shown again" in result.stderr
    assert "unit Q1" in result.stderr

    (stored,) = stored_keys(app)
    assert stored.key_hash == secret_hash(key)
    assert (stored.name, stored.unit.code, stored.revoked_at) == ("Phần mềm một cửa Quận 1", "Q1", None)
    assert before <= stored.created_at <= datetime.now(timezone.utc)
    with app.app_context():
        assert api_keys.api_key_for(db.session, key).id == stored.id
        for values in db.session.execute(text("SELECT * FROM api_keys")):
            assert all(key not in str(value) and key[3:] not in str(value) for value in values)


def test_each_key_is_new(runner, with_units):
    first = create(runner).stdout.strip()
    second = create(runner).stdout.strip()
    assert first != second


def test_the_created_key_opens_the_api_for_its_unit(client, runner, with_units):
    key = create(runner).stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    assert client.post("/api/v1/invitations", json={"unit": "Q1"}, headers=headers).status_code == 201
    assert client.post("/api/v1/invitations", json={"unit": "Q3"}, headers=headers).status_code == 403


@pytest.mark.parametrize(("args", "message"), [
    (["--name", "x", "--unit", "NOPE"], "no unit with code 'NOPE'"),
    (["--name", "   ", "--unit", "Q1"], "the name must be 1 to 255 characters"),
    (["--name", "x" * 256, "--unit", "Q1"], "the name must be 1 to 255 characters"),
    (["--name", "x"], "Missing option '--unit'"),
    (["--unit", "Q1"], "Missing option '--name'"),
])
def test_create_refuses_bad_input_and_stores_nothing(app, runner, with_units, args, message):
    result = runner.invoke(args=["apikeys", "create", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert result.stdout == ""
    assert stored_keys(app) == []


def test_list_shows_keys_without_the_key_or_its_hash(app, runner, with_units):
    first = create(runner, name="Một cửa Q1").stdout.strip()
    second = create(runner, name="Một cửa Q3", unit="Q3").stdout.strip()
    result = runner.invoke(args=["apikeys", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [LINE.match(line).group(1, 2, 3, 5) for line in lines] == [
        (str(k.id), k.name, k.unit.code, "active") for k in stored_keys(app)]
    assert [line.split("\t")[1:3] for line in lines] == [["Một cửa Q1", "Q1"], ["Một cửa Q3", "Q3"]]
    for key in (first, second):
        assert key not in result.output and key[3:13] not in result.output
        assert secret_hash(key) not in result.output and secret_hash(key)[:12] not in result.output


def test_revoke_stops_the_key(app, runner, with_units):
    key = create(runner).stdout.strip()
    other = create(runner, unit="Q3").stdout.strip()
    first, second = stored_keys(app)
    result = runner.invoke(args=["apikeys", "revoke", str(first.id)])
    assert result.exit_code == 0, result.output
    assert f"API key {first.id}" in result.output and "revoked" in result.output
    revoked_at = stored_keys(app)[0].revoked_at
    assert revoked_at is not None
    with app.app_context():
        assert api_keys.api_key_for(db.session, key) is None
        assert api_keys.api_key_for(db.session, other).id == second.id
    lines = runner.invoke(args=["apikeys", "list"]).output.splitlines()
    assert LINE.match(lines[0]).group(5) == f"revoked {revoked_at:%Y-%m-%dT%H:%M:%SZ}"
    assert LINE.match(lines[1]).group(5) == "active"

    # Revoking again changes nothing; an unknown id is an error.
    assert runner.invoke(args=["apikeys", "revoke", str(first.id)]).exit_code == 0
    assert stored_keys(app)[0].revoked_at == revoked_at
    result = runner.invoke(args=["apikeys", "revoke", "999"])
    assert result.exit_code == 1
    assert "no API key 999" in result.output
    result = runner.invoke(args=["apikeys", "revoke", "abc"])
    assert result.exit_code == 2
