"""``flask figures rebuild``: the sums made again from the responses equal the kept ones, and
responses written by hand count once rebuilt."""

from __future__ import annotations

from datetime import datetime, timezone

from factories import record, sipas, submission, unit_tree
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, FigureCell, Response
from survey_app.services.figures.cells import decode


def _sums() -> dict:
    return {(r.months, r.month, r.unit_id, r.channel): decode(r.sums).tolist() for r in db.session.scalars(select(FigureCell))}


def test_rebuild_keeps_the_kept_sums_and_counts_responses_written_by_hand(app, runner):
    q = sipas()
    with app.app_context():
        units = unit_tree(db.session, "P > A, B")
        for level, unit in ((5, "A"), (2, "B"), (4, "A")):
            record(db.session, units[unit], q, submission(q, TC1=level, TC2=3),
                   at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
        db.session.commit()
        kept = _sums()
        b_id = units["B"].id
    result = runner.invoke(args=["figures", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rows of sums made for" in result.output
    with app.app_context():
        assert _sums() == kept
        # A response typed in by hand, past the services: not in the sums until rebuilt.
        response = Response(unit_id=b_id, questionnaire_id=q.id, questionnaire_version=q.version,
                            questionnaire_hash=q.content_hash, locale="vi", channel="paper",
                            submitted_at=datetime(2026, 3, 5, tzinfo=timezone.utc),
                            answers=[Answer(item_code="TC1", value=5)])
        db.session.add(response)
        db.session.commit()
        before = runner.invoke(args=["scores", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"])
    assert '"n": 3' in before.output
    assert runner.invoke(args=["figures", "rebuild", "--questionnaire", "sipas"]).exit_code == 0
    after = runner.invoke(args=["scores", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"])
    assert '"n": 4' in after.output
    assert runner.invoke(args=["figures", "rebuild", "--questionnaire", "nope"]).exit_code != 0
