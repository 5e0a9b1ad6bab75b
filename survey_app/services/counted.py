"""Which responses count: all but those flagged as made up and not restored by an officer."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, not_

from survey_app.models import Response, ResponseFlag


def counted() -> ColumnElement[bool]:
    """A condition on ``Response``: it counts (not flagged, or restored by an officer)."""
    return not_(exists().where(ResponseFlag.response_id == Response.id, ResponseFlag.restored.is_(False)))
