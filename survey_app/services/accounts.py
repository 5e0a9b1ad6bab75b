"""Users, their roles and the units they may act on."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.domain.permissions import Role, covers_all_units, needs_unit
from survey_app.models import Unit, User
from survey_app.services.units import all_units, descendant_ids

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
# A fixed hash to compare against when the e-mail is unknown, so that a failed login takes
# the same time whether or not the account exists.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class AccountError(ValueError):
    pass


def check_new_user(session: Session, *, email: str, role: str, unit: Unit | None) -> str:
    """Everything about a new account but its password; returns the normalised e-mail.

    Raises AccountError with a message fit for the person creating the account.
    """
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(f"'{email}' is not an e-mail address")
    if role not in set(Role):
        raise AccountError(f"unknown role '{role}': the role must be one of {', '.join(Role)}")
    if needs_unit(role) and unit is None:
        raise AccountError("a staff member belongs to a unit: give --unit")
    if user_by_email(session, email) is not None:
        raise AccountError(f"a user {email} exists already")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(session: Session, *, email: str, password: str, role: str, unit: Unit | None,
                now: datetime) -> User:
    email = check_new_user(session, email=email, role=role, unit=unit)
    check_password(password)
    user = User(email=email, password_hash=generate_password_hash(password, method="scrypt"),
                role=role, unit=unit, active=True, created_at=now)
    session.add(user)
    session.flush()
    return user


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def active_user(session: Session, session_id: str) -> User | None:
    """The user behind a session id ("<user id>.<generation>"), or None once the account is
    disabled, gone, or its sessions were ended since."""
    user_id, _, generation = session_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and generation.isascii() and generation.isdigit()):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = user_by_email(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def units_in_scope(session: Session, user: User) -> list[Unit]:
    """The units a user may act on: their unit and everything below it.

    An admin or officer without a unit covers every unit; a staff member without a unit
    (which ``create_user`` refuses, but a database may still hold) covers none.
    """
    if user.unit_id is None:
        return all_units(session) if covers_all_units(user.role) else []
    units = all_units(session)
    allowed = descendant_ids(units).get(user.unit_id, set())
    return [unit for unit in units if unit.id in allowed]


def in_scope(session: Session, user: User, unit: Unit) -> bool:
    return any(u.id == unit.id for u in units_in_scope(session, user))


def end_sessions(session: Session, user: User) -> None:
    """End every open session of ``user``: the generation in their session ids no longer
    matches, so even a copied cookie replayed later signs nobody in. Used on sign-out, which
    therefore signs the user out in every browser at once (simple, and what a shared office
    PC needs); sessions live in signed cookies, so there is no server-side list to pick from."""
    user.session_generation += 1
    session.flush()


def set_active(session: Session, email: str, active: bool) -> User:
    user = user_by_email(session, email)
    if user is None:
        raise AccountError(f"no user {email}")
    if user.active and not active:
        end_sessions(session, user)
    user.active = active
    session.flush()
    return user
