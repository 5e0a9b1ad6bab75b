"""Figures kept once computed, in the ``cached_figures`` table, shared by every worker.

``cached(session, question, fingerprint, compute)`` answers ``question`` (a JSON-able
description: what is computed, for which questionnaire, period, scope, options) from the table
when the row there was computed from data with the same ``fingerprint``
(services/data_fingerprint.py), and otherwise computes it and keeps it. Nothing has to be told
when data change: the next read sees another fingerprint. The code that computes figures is
part of the question too (CODE_VERSION), so that a new release never reads figures of the old one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from survey_app.models import CachedFigures

log = logging.getLogger(__name__)

# Rows older than this are removed when another is written: a period nobody reads any more
# should not keep its figures for ever, and one still read is computed again once.
KEEP_FOR = timedelta(days=30)


def _code_version() -> str:
    """A hash of every module that computes or draws figures: whatever changes there changes
    the figures, so a deployment of new code starts from an empty cache without anyone
    having to remember it."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in ("domain", "services", "reports"):
        for path in sorted((package / folder).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def question_key(question: Any) -> str:
    text = json.dumps([CODE_VERSION, question], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cached(session: Session, question: Any, fingerprint: str, compute: Callable[[], Any], *,
           now: datetime | None = None) -> Any:
    """The answer to ``question``: kept if computed from data of this ``fingerprint``, else
    ``compute()`` kept for the next reader. Either way the value comes back through JSON (lists,
    not tuples; string keys), so a hit and a miss give the very same value.

    Compute the fingerprint BEFORE the figures: data arriving in between then leave a row whose
    fingerprint is already stale, so it is computed again; never figures older than their
    fingerprint says.
    """
    key = question_key(question)
    found = kept(session, question, fingerprint)
    if found is not None:
        return found
    document = json.dumps(compute(), separators=(",", ":"))
    _keep(session, key, fingerprint, document, now or datetime.now(timezone.utc))
    return json.loads(document)


def kept(session: Session, question: Any, fingerprint: str) -> Any | None:
    """The kept answer to ``question`` if computed from data of this ``fingerprint``, else None
    (nothing computed)."""
    row = session.execute(select(CachedFigures.fingerprint, CachedFigures.document)
                          .where(CachedFigures.key == question_key(question))).first()
    return json.loads(row.document) if row is not None and row.fingerprint == fingerprint else None


def _keep(session: Session, key: str, fingerprint: str, document: str, now: datetime) -> None:
    """Written in a transaction of its own, on a connection of its own: a cache row is not part
    of what the request does (a GET), must not wait for the request's commit nor be lost by its
    rollback. Two workers computing the same figures at once both write; the last one stays."""
    engine = session.get_bind()
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    values = {"key": key, "fingerprint": fingerprint, "document": document, "computed_at": now}
    upsert = insert(CachedFigures).values(values).on_conflict_do_update(
        index_elements=[CachedFigures.key], set_={k: v for k, v in values.items() if k != "key"})
    try:
        with engine.connect() as connection:
            connection.execute(delete(CachedFigures).where(CachedFigures.computed_at < now - KEEP_FOR))
            connection.execute(upsert)
            connection.commit()
    except DBAPIError:
        # Figures that cannot be kept (a database busy with an import) are still right; the
        # next reader computes them again.
        log.warning("figures not cached", exc_info=True)
