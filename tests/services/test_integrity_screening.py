"""screen_response on the database: what it counts and compares there gives the verdicts of the
rules on plain data (tests/domain/test_integrity.py); through the pages:
tests/web/public/test_integrity_flags.py."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from factories import kiosk, record, sipas, submission, unit_tree
from sqlalchemy import select

from survey_app.domain.integrity import IntegrityRules, Reason
from survey_app.domain.submission import Channel
from survey_app.extensions import db
from survey_app.models import ResponseFlag
from survey_app.services.integrity import screen_response

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
RULES = IntegrityRules(burst_seconds=60, kiosk_burst_count=4, link_burst_count=3, fast_seconds=15,
                       repeat_count=2, repeat_seconds=600)


def screen(response, answers=None) -> set[Reason]:
    return screen_response(db.session, response, criteria=list(sipas().criterion_codes), seconds_taken=None,
                           rules=RULES, now=T0, submission=answers)


def flags() -> dict[int, tuple[str, bool]]:
    return {f.response_id: (f.reasons, f.restored) for f in db.session.scalars(select(ResponseFlag))}


def test_identical_means_the_same_answers_no_more_no_fewer(app):
    q = sipas()
    with app.app_context():
        unit = unit_tree(db.session, "P01")["P01"]
        same = submission(q, TC1=5, TC2=4, comment="Tốt")
        more = submission(q, TC1=5, TC2=4, TT1=3, comment="Tốt")
        fewer = submission(q, TC1=5, comment="Tốt")
        other_comment = submission(q, TC1=5, TC2=4, comment="Tốt lắm")
        at = [T0 + timedelta(seconds=100 * i) for i in range(6)]  # never a burst, all within ten minutes
        earlier = [record(db.session, unit, q, answers, at=when)
                   for answers, when in zip((same, more, fewer, other_comment, same), at, strict=False)]
        for response in earlier:
            screen(response)
        assert flags() == {}
        new = record(db.session, unit, q, same, at=at[5])
        # Read back from the database, or handed over: the same verdict.
        assert screen(new) == screen(new, same) == {Reason.REPEATED}
        assert flags() == {i: ("repeated", False) for i in (earlier[0].id, earlier[4].id, new.id)}


def test_a_burst_adds_its_reason_to_earlier_flags_and_keeps_restored_ones_restored(app):
    q = sipas()
    with app.app_context():
        unit = unit_tree(db.session, "P01")["P01"]
        first, second, third = (record(db.session, unit, q, submission(q, TC1=i + 1), at=T0 + timedelta(seconds=i))
                                for i in range(3))
        db.session.add_all([ResponseFlag(response_id=first.id, reasons="repeated", flagged_at=T0, restored=False),
                            ResponseFlag(response_id=second.id, reasons="fast_identical", flagged_at=T0, restored=True)])
        db.session.flush()
        assert screen(third) == set()  # three in the minute: at the limit
        fourth = record(db.session, unit, q, submission(q, TC1=5), at=T0 + timedelta(seconds=59))
        late = record(db.session, unit, q, submission(q, TC1=4), at=T0 + timedelta(seconds=200))
        assert screen(fourth) == {Reason.BURST}
        assert screen(late) == set()  # the others are more than a minute before it
        assert flags() == {first.id: ("burst,repeated", False), second.id: ("burst,fast_identical", True),
                           third.id: ("burst", False), fourth.id: ("burst", False)}


def test_identical_answers_repeat_only_within_one_place(app):
    # A place is a unit's channel and questionnaire, and one kiosk: the same answers through
    # other places, or at another unit, are not a repetition.
    q = sipas()
    with app.app_context():
        units = unit_tree(db.session, "P01; P02")
        unit = units["P01"]
        first_kiosk, second_kiosk = kiosk(db.session, unit, "Quầy 1")[0], kiosk(db.session, unit, "Quầy 2")[0]
        same = submission(q, TC1=5, TC2=4)
        at = iter(T0 + timedelta(seconds=60 * i) for i in range(9))  # never a burst, all within ten minutes
        elsewhere = [record(db.session, unit, q, same, at=next(at), channel=Channel.KIOSK, kiosk_id=first_kiosk.id),
                     record(db.session, unit, q, same, at=next(at), channel=Channel.KIOSK, kiosk_id=first_kiosk.id),
                     record(db.session, units["P02"], q, same, at=next(at)),
                     record(db.session, units["P02"], q, same, at=next(at))]
        link = [record(db.session, unit, q, same, at=next(at)) for _ in range(2)]
        on_second_kiosk = record(db.session, unit, q, same, at=next(at), channel=Channel.KIOSK,
                                 kiosk_id=second_kiosk.id)
        for response in [*elsewhere, *link]:
            screen(response)
        assert screen(on_second_kiosk) == set()
        assert flags() == {}
        third = record(db.session, unit, q, same, at=next(at))
        assert screen(third) == {Reason.REPEATED}
        assert flags() == {i: ("repeated", False) for i in (link[0].id, link[1].id, third.id)}
