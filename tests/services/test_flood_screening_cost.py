"""A flood of identical forms: screening the last post of it reads no more from the database than
screening an early one (issue 16, finding 3). Counted in rows fetched and parameters bound, which
grow with every earlier copy when the repetition rule loads them, not timed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from factories import record, sipas, submission, unit_tree
from sqlalchemy import event, select

from survey_app.domain.integrity import IntegrityRules, Reason
from survey_app.extensions import db
from survey_app.models import ResponseFlag
from survey_app.services.integrity import screen_response

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
# Every copy within the repeat window; no burst (one post every two seconds, a burst limit far off).
RULES = IntegrityRules(burst_seconds=60, link_burst_count=1000, repeat_count=4, repeat_seconds=3600)
FLOOD = 300


@dataclass
class Reads:
    statements: int = 0
    parameters: int = 0
    rows: int = 0


def screened_reading(session, response, answers) -> tuple[set[Reason], Reads]:
    """Screen ``response`` and count what it asked of the database."""
    reads = Reads()

    def on_cursor(conn, cursor, statement, parameters, context, executemany):
        reads.statements += 1
        values = parameters.values() if isinstance(parameters, dict) else parameters or ()
        # A batch (executemany) is a sequence of rows of parameters.
        reads.parameters += sum(len(v) if isinstance(v, (dict, list, tuple)) else 1 for v in values)

    def on_orm_execute(state):
        if state.is_select:
            frozen = state.invoke_statement().freeze()
            reads.rows += len(frozen.data)
            return frozen()
        return None

    engine = session.get_bind()
    event.listen(engine, "after_cursor_execute", on_cursor)
    event.listen(session, "do_orm_execute", on_orm_execute)
    try:
        verdict = screen_response(session, response, criteria=list(sipas().criterion_codes), seconds_taken=None,
                                  rules=RULES, now=T0, submission=answers)
    finally:
        event.remove(session, "do_orm_execute", on_orm_execute)
        event.remove(engine, "after_cursor_execute", on_cursor)
    return verdict, reads


def test_the_last_copy_of_a_flood_reads_what_an_early_one_does(app):
    q = sipas()
    with app.app_context():
        unit = unit_tree(db.session, "P01")["P01"]
        same = submission(q, TC1=5, TC2=5, comment="Tuyệt vời")
        reads = {}
        for i in range(FLOOD):
            response = record(db.session, unit, q, same, at=T0 + timedelta(seconds=2 * i))
            verdict, reads[i] = screened_reading(db.session, response, same)
            assert verdict == ({Reason.REPEATED} if i >= RULES.repeat_count else set())
        # The fourth repeat flags every copy (the limit first crossed); each later one only itself.
        assert reads[RULES.repeat_count].rows >= RULES.repeat_count
        early, last = reads[RULES.repeat_count + 5], reads[FLOOD - 1]
        assert (last.statements, last.parameters, last.rows) == (early.statements, early.parameters, early.rows)
        flagged = dict(db.session.execute(select(ResponseFlag.response_id, ResponseFlag.reasons)).all())
        assert len(flagged) == FLOOD and set(flagged.values()) == {"repeated"}
