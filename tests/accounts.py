"""Signing in from tests: one way to make a user, find a form's CSRF token and log in."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.accounts import create_user

PASSWORD = "correct horse battery"


def add_user(app, email: str, role: str, unit_code: str | None) -> str:
    """A user made by the service, with PASSWORD, scoped to the unit of that code (or none)."""
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
        create_user(db.session, email=email, password=PASSWORD, role=role, unit=unit,
                    now=datetime.now(timezone.utc))
        db.session.commit()
    return email


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def log_in(client, email: str) -> None:
    """Sign in through the real form, CSRF token included; fails the test if it does not work."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
