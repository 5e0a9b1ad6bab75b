"""domain/permissions.py: the one rule of who may do what, checked against the table it encodes."""

from __future__ import annotations

import pytest

from survey_app.domain.permissions import Action, Role, covers_all_units, may, needs_unit

# The design, written out: which role may do which kind of thing.
ALLOWED = {
    ("admin", "print"): True, ("admin", "manage_kiosks"): True, ("admin", "view_reports"): True,
    ("officer", "print"): True, ("officer", "manage_kiosks"): False, ("officer", "view_reports"): True,
    ("staff", "print"): True, ("staff", "manage_kiosks"): True, ("staff", "view_reports"): True,
    ("admin", "review_flags"): True, ("officer", "review_flags"): True, ("staff", "review_flags"): False,
    ("admin", "view_audit_log"): True, ("officer", "view_audit_log"): False, ("staff", "view_audit_log"): False,
    # Cases: officers read the escalated ones' texts; only the unit's staff (and admins) handle them.
    ("admin", "view_cases"): True, ("officer", "view_cases"): True, ("staff", "view_cases"): True,
    ("admin", "handle_cases"): True, ("officer", "handle_cases"): False, ("staff", "handle_cases"): True,
}


def test_the_roles_and_actions_are_the_ones_stored_and_asked_for():
    assert [str(r) for r in Role] == ["admin", "officer", "staff"]
    assert [str(a) for a in Action] == ["print", "manage_kiosks", "view_reports", "review_flags",
                                       "view_audit_log", "view_cases", "handle_cases"]
    # StrEnum: a role read from the database (a plain string) is the same role.
    assert Role("staff") is Role.STAFF and Role.STAFF == "staff"


@pytest.mark.parametrize(("role", "action"), sorted(ALLOWED))
def test_may_follows_the_table(role, action):
    assert may(role, Action(action)) is ALLOWED[role, action]
    assert may(Role(role), Action(action)) is ALLOWED[role, action]  # the enum says the same


@pytest.mark.parametrize("role", ["", "Admin", "ADMIN", "root", "admin ", "viewer"])
def test_an_unknown_role_may_do_nothing(role):
    assert not any(may(role, action) for action in Action)
    assert covers_all_units(role) is False
    assert needs_unit(role) is False


@pytest.mark.parametrize(("role", "covers_all", "needs"), [
    ("admin", True, False), ("officer", True, False), ("staff", False, True),
])
def test_who_covers_every_unit_without_one_and_who_needs_a_unit(role, covers_all, needs):
    assert covers_all_units(role) is covers_all
    assert needs_unit(role) is needs
