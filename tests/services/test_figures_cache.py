"""services/figures_cache.py: figures computed once per fingerprint, kept in the database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import CachedFigures
from survey_app.services.figures_cache import KEEP_FOR, cached, question_key

NOW = datetime(2026, 4, 2, 8, tzinfo=timezone.utc)


def test_computed_once_per_fingerprint_and_the_same_value_either_way(app):
    calls = []

    def compute():
        calls.append(1)
        return {"index": 81.25, "ci": (79.0, 83.5), "units": [{"unit": "A", "n": len(calls)}]}

    with app.app_context():
        first = cached(db.session, {"figures": "test", "unit": "A"}, "data-1", compute, now=NOW)
        again = cached(db.session, {"figures": "test", "unit": "A"}, "data-1", compute, now=NOW)
        assert len(calls) == 1
        # Through JSON both times: a tuple comes back a list, on a miss as on a hit.
        assert first == again == {"index": 81.25, "ci": [79.0, 83.5], "units": [{"unit": "A", "n": 1}]}
        changed = cached(db.session, {"figures": "test", "unit": "A"}, "data-2", compute, now=NOW)
        assert len(calls) == 2 and changed["units"][0]["n"] == 2
        other = cached(db.session, {"figures": "test", "unit": "B"}, "data-2", compute, now=NOW)
        assert len(calls) == 3 and other["units"][0]["n"] == 3
        # One row per question: the new figures replaced the old ones.
        rows = db.session.execute(select(CachedFigures.key, CachedFigures.fingerprint)).all()
        assert sorted(rows) == sorted([(question_key({"figures": "test", "unit": "A"}), "data-2"),
                                       (question_key({"figures": "test", "unit": "B"}), "data-2")])


def test_rows_older_than_keep_for_are_removed_when_another_is_written(app):
    with app.app_context():
        cached(db.session, {"figures": "old"}, "f", lambda: 1, now=NOW)
        cached(db.session, {"figures": "recent"}, "f", lambda: 2, now=NOW + KEEP_FOR)
        assert len(db.session.scalars(select(CachedFigures.key)).all()) == 2
        cached(db.session, {"figures": "new"}, "f", lambda: 3, now=NOW + KEEP_FOR + timedelta(seconds=1))
        kept = set(db.session.scalars(select(CachedFigures.key)))
        assert kept == {question_key({"figures": "recent"}), question_key({"figures": "new"})}
