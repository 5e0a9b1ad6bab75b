"""Who may do what: the one rule that decorators, templates and services all ask.

Two questions decide every check: may this role do this kind of thing at all (``may``), and is
this unit in the user's scope (their unit and everything below it; see ``covers_all_units``
for users without a unit). Nothing else in the code compares role names.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"        # units, users, API keys; everything officers and staff do
    OFFICER = "officer"    # reform (CCHC) officer: reports, slips and posters of their subtree
    STAFF = "staff"        # one-stop-shop staff: slips, posters and kiosks of their unit


class Action(StrEnum):
    PRINT = "print"                  # invitation slips and counter posters
    MANAGE_KIOSKS = "manage_kiosks"  # register and revoke the touch screens at a counter
    VIEW_REPORTS = "view_reports"    # indices, rankings, comments, PDF and workbook reports
    # Flagged responses: restore or flag back. Not staff: a counter must not judge its own answers.
    REVIEW_FLAGS = "review_flags"
    VIEW_AUDIT_LOG = "view_audit_log"  # who did what, and when: admins only
    # Citizens' reply requests (cases): the queue with texts; officers see the cases escalated
    # to them, staff their unit's. Handling (acknowledge, answer, see the contact): the unit's own staff.
    VIEW_CASES = "view_cases"
    HANDLE_CASES = "handle_cases"


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.OFFICER: frozenset({Action.PRINT, Action.VIEW_REPORTS, Action.REVIEW_FLAGS, Action.VIEW_CASES}),
    Role.STAFF: frozenset({Action.PRINT, Action.MANAGE_KIOSKS, Action.VIEW_REPORTS, Action.VIEW_CASES,
                           Action.HANDLE_CASES}),
}


def may(role: str, action: Action) -> bool:
    """Whether ``role`` may do ``action`` anywhere in its scope (an unknown role may do nothing)."""
    return role in Role.__members__.values() and action in _ALLOWED[Role(role)]


def covers_all_units(role: str) -> bool:
    """An admin or officer without a unit covers the whole tree; a staff member always belongs
    to one unit, and without it (which account creation refuses) covers none."""
    return role in (Role.ADMIN, Role.OFFICER)


def needs_unit(role: str) -> bool:
    return role == Role.STAFF


def reads_reports_first(role: str) -> bool:
    """A reform officer signs in for the reports; staff and admins for their units' tools."""
    return role == Role.OFFICER
