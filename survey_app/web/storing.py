"""Storing a submitted survey form exactly once, however often it is posted."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.services.responses import already_submitted, record_response


def store_once(*, submission_key: str, **response) -> None:
    """Record and commit the response unless this form (its submission key) was stored before.

    A double tap can post the same form twice at once: then the unique key makes the second
    commit fail, and finding the key stored means the other request did the work.
    """
    if already_submitted(db.session, submission_key):
        return
    record_response(db.session, submission_key=submission_key, **response)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not already_submitted(db.session, submission_key):
            raise
