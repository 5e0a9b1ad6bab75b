"""services/data_fingerprint.py: a period's fingerprint changes with its responses however they
are written (the tallies are kept by triggers), and only with its own hours'."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from factories import full_submission, record, sipas, unit_tree
from sqlalchemy import delete, insert, update

from survey_app.domain.periods import Period
from survey_app.extensions import db
from survey_app.models import Response, Unit
from survey_app.services.data_fingerprint import data_fingerprint

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def fingerprint() -> str:
    return data_fingerprint(db.session, "sipas", *MARCH.utc_bounds(LOCAL), MARCH, LOCAL)


def test_every_way_of_writing_responses_changes_the_fingerprint_of_their_period_only(app):
    q = sipas()
    with app.app_context():
        unit_id = unit_tree(db.session, "A")["A"].id
        db.session.commit()
        empty = fingerprint()
        # The first and the last moment of March, local time; then the first of April.
        record(db.session, db.session.get(Unit, unit_id), q, full_submission(q, 4), at=datetime(2026, 3, 1, 0, 0, tzinfo=LOCAL))
        db.session.commit()
        one = fingerprint()
        assert one != empty
        record(db.session, db.session.get(Unit, unit_id), q, full_submission(q, 4), at=datetime(2026, 4, 1, 0, 0, tzinfo=LOCAL))
        db.session.commit()
        assert fingerprint() == one
        record(db.session, db.session.get(Unit, unit_id), q, full_submission(q, 4),
               at=datetime(2026, 3, 31, 23, 59, 59, tzinfo=LOCAL))
        db.session.commit()
        two = fingerprint()
        assert two not in (one, empty)

        # A bulk insert, as imports and the demo write.
        row = {"unit_id": unit_id, "questionnaire_id": "sipas", "questionnaire_version": q.version,
               "questionnaire_hash": q.content_hash, "locale": "vi", "channel": "paper",
               "submitted_at": datetime(2026, 3, 15, 9, tzinfo=LOCAL)}
        db.session.execute(insert(Response), [row, {**row, "submitted_at": row["submitted_at"] + timedelta(days=1)}])
        db.session.commit()
        bulk = fingerprint()
        assert bulk not in (one, two)

        # Moved within the period, then deleted: never back to an earlier fingerprint.
        db.session.execute(update(Response).where(Response.channel == "paper")
                           .values(submitted_at=datetime(2026, 3, 20, 9, tzinfo=LOCAL)))
        db.session.commit()
        moved = fingerprint()
        assert moved not in (one, two, bulk)
        db.session.execute(delete(Response).where(Response.channel == "paper"))
        db.session.commit()
        assert fingerprint() not in (empty, one, two, bulk, moved)
