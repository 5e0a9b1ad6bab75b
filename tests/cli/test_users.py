"""``flask users create|list|disable|enable``: accounts made and switched off from the shell."""

from __future__ import annotations

import pytest
from factories import unit_tree
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from survey_app.extensions import db
from survey_app.models import User
from survey_app.services.accounts import authenticate

PASSWORD = "correct horse battery"


@pytest.fixture
def units(app):
    """HCM > Q1 > P-BN; HCM > Q3."""
    with app.app_context():
        unit_tree(db.session, "HCM > Q1 > P-BN; HCM > Q3")
        db.session.commit()


def create(runner, *args, password: str | None = PASSWORD, stdin: str | None = None):
    """``users create ARGS``; the password piped with --password-stdin unless ``stdin`` is given."""
    if stdin is not None:
        return runner.invoke(args=["users", "create", *args], input=stdin)
    return runner.invoke(args=["users", "create", *args, "--password-stdin"],
                         input=f"{password}\n")


def stored_users(app) -> dict[str, tuple[str, str | None, bool]]:
    """email -> (role, unit code, active)."""
    with app.app_context():
        return {u.email: (u.role, u.unit.code if u.unit else None, u.active)
                for u in db.session.scalars(select(User))}


def stored_hash(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.email == email))


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


# ------------------------------------------------------------------------------ create

def test_create_with_password_from_stdin(app, runner, units):
    result = create(runner, "--email", "Lan.Nguyen@Q1.example.vn", "--role", "staff", "--unit", "Q1")
    assert result.exit_code == 0, result.output
    assert result.output == "user lan.nguyen@q1.example.vn created: staff, unit Q1 and below\n"
    assert stored_users(app) == {"lan.nguyen@q1.example.vn": ("staff", "Q1", True)}
    password_hash = stored_hash(app, "lan.nguyen@q1.example.vn")
    assert password_hash.startswith("scrypt:")
    assert PASSWORD not in password_hash
    assert check_password_hash(password_hash, PASSWORD)
    assert not check_password_hash(password_hash, PASSWORD + "x")


def test_stdin_password_loses_only_its_line_ending(app, runner, units):
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.vn", "--role", "admin", "--password-stdin"],
        input=" spaces kept inside \r\nsecond line ignored\n")
    assert result.exit_code == 0, result.output
    password_hash = stored_hash(app, "a@example.vn")
    assert check_password_hash(password_hash, " spaces kept inside ")
    assert not check_password_hash(password_hash, "spaces kept inside")


def test_create_asks_the_password_twice_without_echoing_it(app, runner, units):
    result = create(runner, "--email", "officer@example.vn", "--role", "officer", "--unit", "Q3",
                    stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output
    assert stored_users(app) == {"officer@example.vn": ("officer", "Q3", True)}
    password_hash = stored_hash(app, "officer@example.vn")
    assert password_hash.startswith("scrypt:") and check_password_hash(password_hash, PASSWORD)


def test_two_different_passwords_at_the_prompt_create_nobody(app, runner, units):
    result = create(runner, "--email", "officer@example.vn", "--role", "officer",
                    stdin=f"{PASSWORD}\n{PASSWORD}!\n")
    assert result.exit_code == 1
    assert "do not match" in result.output
    assert count_users(app) == 0


def test_admin_without_unit_covers_all_units(app, runner, units):
    result = create(runner, "--email", "root@example.vn", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert result.output == "user root@example.vn created: admin, all units\n"
    assert stored_users(app) == {"root@example.vn": ("admin", None, True)}


@pytest.mark.parametrize(("args", "password", "message"), [
    (["--email", "x@example.vn", "--role", "staff", "--unit", "NOPE"], PASSWORD,
     "Error: no unit with code 'NOPE'"),
    (["--email", "x@example.vn", "--role", "boss", "--unit", "Q1"], PASSWORD,
     "Error: unknown role 'boss': the role must be one of admin, officer, staff"),
    (["--email", "x@example.vn", "--role", "staff"], PASSWORD,
     "Error: a staff member belongs to a unit: give --unit"),
    (["--email", "x@example.vn", "--role", "staff", "--unit", "Q1"], "nine char",
     "Error: the password must have at least 10 characters"),
    (["--email", "x@example.vn", "--role", "staff", "--unit", "Q1"], "",
     "Error: the password must have at least 10 characters"),
    (["--email", "not-an-address", "--role", "admin"], PASSWORD,
     "Error: 'not-an-address' is not an e-mail address"),
])
def test_refused_accounts_exit_1_and_store_nothing(app, runner, units, args, password, message):
    result = create(runner, *args, password=password)
    assert result.exit_code == 1
    assert message in result.output
    assert count_users(app) == 0


def test_a_duplicate_email_is_refused_whatever_its_case(app, runner, units):
    assert create(runner, "--email", "lan@example.vn", "--role", "staff", "--unit", "Q1").exit_code == 0
    before = stored_hash(app, "lan@example.vn")
    result = create(runner, "--email", " LAN@example.vn ", "--role", "admin",
                    password="another long password")
    assert result.exit_code == 1
    assert "Error: a user lan@example.vn exists already" in result.output
    assert stored_users(app) == {"lan@example.vn": ("staff", "Q1", True)}
    assert stored_hash(app, "lan@example.vn") == before


def test_errors_are_reported_before_the_password_is_asked(app, runner, units):
    result = create(runner, "--email", "x@example.vn", "--role", "staff", "--unit", "NOPE",
                    stdin="")
    assert result.exit_code == 1
    assert "Password:" not in result.output
    assert "no unit with code 'NOPE'" in result.output


# -------------------------------------------------------------------- list, disable, enable

def test_list_shows_email_role_unit_and_state(app, runner, units):
    create(runner, "--email", "staff@example.vn", "--role", "staff", "--unit", "P-BN")
    create(runner, "--email", "admin@example.vn", "--role", "admin")
    create(runner, "--email", "officer@example.vn", "--role", "officer", "--unit", "Q3")
    assert runner.invoke(args=["users", "disable", "--email", "officer@example.vn"]).exit_code == 0

    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "admin@example.vn\tadmin\t\tactive",
        "officer@example.vn\tofficer\tQ3\tdisabled",
        "staff@example.vn\tstaff\tP-BN\tactive",
    ]


def test_list_of_no_users_is_empty(app, runner):
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    assert result.output == ""


def test_disable_then_enable(app, runner, units):
    create(runner, "--email", "lan@example.vn", "--role", "staff", "--unit", "Q1")
    with app.app_context():
        assert authenticate(db.session, "lan@example.vn", PASSWORD) is not None

    result = runner.invoke(args=["users", "disable", "--email", "LAN@example.vn"])
    assert result.exit_code == 0, result.output
    assert result.output == "user lan@example.vn disabled\n"
    assert stored_users(app)["lan@example.vn"] == ("staff", "Q1", False)
    with app.app_context():
        assert authenticate(db.session, "lan@example.vn", PASSWORD) is None

    result = runner.invoke(args=["users", "enable", "--email", "lan@example.vn"])
    assert result.exit_code == 0, result.output
    assert result.output == "user lan@example.vn enabled\n"
    with app.app_context():
        assert authenticate(db.session, "lan@example.vn", PASSWORD).email == "lan@example.vn"


@pytest.mark.parametrize("command", ["disable", "enable"])
def test_disable_or_enable_an_unknown_user_fails(app, runner, units, command):
    create(runner, "--email", "lan@example.vn", "--role", "staff", "--unit", "Q1")
    result = runner.invoke(args=["users", command, "--email", "nobody@example.vn"])
    assert result.exit_code == 1
    assert "Error: no user nobody@example.vn" in result.output
    assert stored_users(app) == {"lan@example.vn": ("staff", "Q1", True)}
