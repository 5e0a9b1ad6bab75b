"""services.accounts: creating accounts, signing in, disabling, and the units a user may act on."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from factories import unit_tree
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit, User
from survey_app.services.accounts import (
    AccountError,
    active_user,
    authenticate,
    create_user,
    in_scope,
    set_active,
    units_in_scope,
)
from survey_app.services.units import unit_by_code

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
TREE = "HCM > Q1 > P-BN, P-DK; HCM > Q3 > P-VTS"
CODES = {"HCM", "Q1", "P-BN", "P-DK", "Q3", "P-VTS"}


@pytest.fixture
def units(app):
    """HCM > {Q1 > {P-BN, P-DK}, Q3 > P-VTS}, inside the app context."""
    with app.app_context():
        made = unit_tree(db.session, TREE)
        db.session.commit()
        yield made
        db.session.rollback()


def new_user(email: str, role: str, unit_code: str | None, password: str = PASSWORD) -> User:
    unit = unit_by_code(db.session, unit_code) if unit_code else None
    return create_user(db.session, email=email, password=password, role=role, unit=unit, now=NOW)


# ----------------------------------------------------------------------------- creating

def test_a_new_account_keeps_a_normalised_email_and_only_a_password_hash(units):
    user = new_user("  Lan@Q1.Example.VN ", "staff", "Q1")
    db.session.commit()
    assert user.email == "lan@q1.example.vn"
    assert (user.role, user.unit.code, user.active, user.created_at) == ("staff", "Q1", True, NOW)
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(("email", "role", "unit", "password", "message"), [
    ("not-an-email", "staff", "Q1", PASSWORD, "is not an e-mail address"),
    ("a@b.vn", "director", "Q1", PASSWORD, "unknown role 'director': the role must be one of admin, officer, staff"),
    ("a@b.vn", "staff", None, PASSWORD, "a staff member belongs to a unit"),
    ("a@b.vn", "officer", "Q1", "short", "the password must have at least 10 characters"),
    ("taken@b.vn", "admin", None, PASSWORD, "a user taken@b.vn exists already"),
])
def test_a_bad_account_is_refused_and_nothing_added(units, email, role, unit, password, message):
    new_user("taken@b.vn", "officer", None)
    db.session.commit()
    with pytest.raises(AccountError, match=message):
        new_user(email, role, unit, password)
    assert not db.session.new
    assert [u.email for u in db.session.scalars(select(User))] == ["taken@b.vn"]


# ----------------------------------------------------------------------------- signing in

def test_authenticate_needs_the_right_password_and_an_active_account(units):
    user = new_user("lan@q1.example.vn", "staff", "Q1")
    db.session.commit()
    assert authenticate(db.session, " LAN@q1.example.vn", PASSWORD) is user
    assert authenticate(db.session, "lan@q1.example.vn", PASSWORD + "x") is None
    assert authenticate(db.session, "nobody@q1.example.vn", PASSWORD) is None
    set_active(db.session, "lan@q1.example.vn", False)
    assert authenticate(db.session, "lan@q1.example.vn", PASSWORD) is None


def test_disabling_ends_the_sessions_and_enabling_does_not_revive_them(units):
    user = new_user("lan@q1.example.vn", "staff", "Q1")
    db.session.commit()
    old = f"{user.id}.{user.session_generation}"
    assert active_user(db.session, old) is user
    set_active(db.session, user.email, False)
    assert active_user(db.session, old) is None
    set_active(db.session, user.email, True)
    assert active_user(db.session, old) is None  # the old session stays ended
    assert active_user(db.session, f"{user.id}.{user.session_generation}") is user
    # Disabling an account that is disabled already does not end the sessions again.
    set_active(db.session, user.email, False)
    generation = user.session_generation
    set_active(db.session, user.email, False)
    assert user.session_generation == generation
    with pytest.raises(AccountError, match="no user nobody@example.vn"):
        set_active(db.session, "nobody@example.vn", True)


@pytest.mark.parametrize("session_id", ["", "1", "1.", ".0", "x.0", "1.x", "١.0", "999.0", "1.0.0"])
def test_a_malformed_or_unknown_session_id_is_nobody(units, session_id):
    new_user("lan@q1.example.vn", "staff", "Q1")
    db.session.commit()
    assert active_user(db.session, session_id) is None


# ----------------------------------------------------------------------------- the scope

def scope_of(email: str, role: str, unit_code: str | None) -> tuple[set[str], dict[str, bool]]:
    """The codes in the user's scope, and in_scope for every unit."""
    user = new_user(email, role, unit_code)
    db.session.commit()
    codes = {u.code for u in units_in_scope(db.session, user)}
    each = {u.code: in_scope(db.session, user, u) for u in db.session.scalars(select(Unit))}
    return codes, each


@pytest.mark.parametrize(("role", "unit", "expected"), [
    ("admin", None, CODES),
    ("officer", None, CODES),
    ("admin", "Q3", {"Q3", "P-VTS"}),
    ("officer", "Q1", {"Q1", "P-BN", "P-DK"}),
    ("officer", "HCM", CODES),
    ("staff", "Q1", {"Q1", "P-BN", "P-DK"}),
    ("staff", "P-BN", {"P-BN"}),
])
def test_scope_is_the_unit_and_everything_below_it(units, role, unit, expected):
    codes, each = scope_of(f"{role}@example.vn", role, unit)
    assert codes == expected
    assert each == {code: code in expected for code in CODES}


def test_a_staff_member_without_a_unit_has_no_scope(units):
    # create_user refuses it; a row written some other way must still not see everything.
    user = User(email="orphan@example.vn", password_hash="scrypt:x", role="staff",
                unit=None, active=True, created_at=NOW)
    db.session.add(user)
    db.session.commit()
    assert units_in_scope(db.session, user) == []
    assert in_scope(db.session, user, units["Q1"]) is False
