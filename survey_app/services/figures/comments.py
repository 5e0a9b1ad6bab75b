"""The citizens' comments of a scope and period, masked, newest first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.domain.masking import mask_personal_data
from survey_app.models import Response, Unit
from survey_app.services.counted import counted
from survey_app.services.figures.types import Comment, CommentPage, FiguresQuery
from survey_app.services.units import subtree


def subtree_ids(session: Session, unit_code: str | None) -> frozenset[int] | None:
    """Ids of the unit and every unit below it; None (no restriction) for no unit. Raises UnknownUnit."""
    return subtree(session, unit_code).ids


def comments(session: Session, query: FiguresQuery, unit_code: str | None = None, *, page: int = 1,
             per_page: int | None = None, total: int | None = None) -> CommentPage:
    """Page ``page`` (of ``per_page``; None: all of them) of the comments on the unit and every
    unit below it (every unit for None), masked. ``per_page=0`` counts them only. ``total``: how
    many there are, when already known, which spares counting them again. Raises UnknownUnit."""
    unit_ids = subtree_ids(session, unit_code)
    start, end = query.period.utc_bounds(query.tz)
    where = [Response.questionnaire_id == query.questionnaire.id, Response.submitted_at >= start,
             Response.submitted_at < end, Response.comment.is_not(None), Response.comment != "",
             # A flood's comments are left out with its answers (1,500 "Tuyệt vời" filled a PDF).
             counted()]
    if unit_ids is not None:
        where.append(Response.unit_id.in_(sorted(unit_ids)))
    if total is None:
        total = session.scalar(select(func.count(Response.id)).where(*where))
    page = max(1, page)
    offset = (page - 1) * per_page if per_page else 0
    if offset >= total or per_page == 0:
        # Nothing to show: not even a look (with few comments, finding none scans the period).
        return CommentPage(total, page, per_page, ())
    rows = session.execute(
        select(Response.submitted_at, Response.channel, Response.comment, Unit.code, Unit.name)
        .join(Unit, Unit.id == Response.unit_id).where(*where)
        .order_by(Response.submitted_at.desc(), Response.id.desc()).offset(offset).limit(per_page or None))
    return CommentPage(total, page, per_page, tuple(
        Comment(submitted_at.astimezone(query.tz), channel, mask_personal_data(comment), code, name)
        for submitted_at, channel, comment, code, name in rows))
