"""services.responses: storing one response exactly, refusing an invalid one, counting it once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from factories import unit_tree
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey_app import catalog_of
from survey_app.domain.submission import NOTHING_ANSWERED, Submission
from survey_app.extensions import db
from survey_app.models import Answer, Choice, Response, Unit
from survey_app.services.responses import (
    InvalidSubmission,
    already_submitted,
    record_response,
    submission_of,
)
from survey_app.services.units import unit_by_code

WHEN = datetime(2026, 3, 2, 2, 15, tzinfo=timezone.utc)


@pytest.fixture
def ctx(app):
    with app.app_context():
        unit_tree(db.session, "P-BN", names={"P-BN": "Phường Bến Nghé"})
        db.session.commit()
        yield app
        db.session.rollback()


def counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count()).select_from(Response)),
            db.session.scalar(select(func.count()).select_from(Answer)),
            db.session.scalar(select(func.count()).select_from(Choice)))


def unit() -> Unit:
    return unit_by_code(db.session, "P-BN")


def test_stores_the_questionnaire_identity_and_everything_answered(ctx):
    sipas = catalog_of(ctx).get("sipas")
    submission = Submission(
        ratings={"TC1": 5, "TC2": 0, "TT1": 3, "CC6": 1},
        expectations=frozenset({"MD2", "MD4"}),
        profile={"gender": "female", "age_group": "age35_49"},
        comment="Cán bộ hướng dẫn tận tình.",
    )
    record_response(db.session, unit=unit(), questionnaire=sipas, submission=submission,
                    locale="en", channel="kiosk", submitted_at=WHEN, submission_key="k-1")
    db.session.commit()
    db.session.expunge_all()

    stored = db.session.scalars(select(Response)).one()
    assert stored.unit.code == "P-BN"
    assert stored.questionnaire_id == "sipas"
    assert stored.questionnaire_version == sipas.version == 1
    assert stored.questionnaire_hash == sipas.content_hash
    assert len(stored.questionnaire_hash) == 64
    assert stored.locale == "en"
    assert stored.channel == "kiosk"
    assert stored.submitted_at == WHEN
    assert stored.submitted_at.utcoffset() == timedelta(0)
    assert stored.comment == "Cán bộ hướng dẫn tận tình."
    assert stored.submission_key == "k-1"
    assert sorted((a.item_code, a.value) for a in stored.answers) == [
        ("CC6", 1), ("TC1", 5), ("TC2", 0), ("TT1", 3)
    ]
    assert sorted((c.question_code, c.option_code) for c in stored.choices) == [
        ("age_group", "age35_49"), ("expectations", "MD2"), ("expectations", "MD4"), ("gender", "female")
    ]
    assert submission_of(stored) == submission


def test_the_hash_tells_questionnaires_apart(ctx):
    catalog = catalog_of(ctx)
    for q, ratings in ((catalog.get("sipas"), {"TC1": 4}), (catalog.get("quick"), {"DV1": 3})):
        record_response(db.session, unit=unit(), questionnaire=q, submission=Submission(ratings),
                        locale="vi", channel="link", submitted_at=WHEN)
    db.session.commit()
    stored = dict(db.session.execute(select(Response.questionnaire_id, Response.questionnaire_hash)).all())
    assert stored == {"sipas": catalog.get("sipas").content_hash, "quick": catalog.get("quick").content_hash}
    assert stored["sipas"] != stored["quick"]


def test_an_empty_submission_is_refused_and_a_comment_alone_is_a_response(ctx):
    # Every SIPAS question may be skipped, but a submission that answers nothing is no response.
    with pytest.raises(InvalidSubmission) as refused:
        record_response(db.session, unit=unit(), questionnaire=catalog_of(ctx).get("sipas"),
                        submission=Submission(), locale="vi", channel="paper", submitted_at=WHEN)
    assert refused.value.problems == [NOTHING_ANSWERED]
    assert counts() == (0, 0, 0)
    record_response(db.session, unit=unit(), questionnaire=catalog_of(ctx).get("sipas"),
                    submission=Submission(comment="Tốt"), locale="vi", channel="paper", submitted_at=WHEN)
    db.session.commit()
    assert counts() == (1, 0, 0)
    stored = db.session.scalars(select(Response)).one()
    assert stored.comment == "Tốt" and stored.submission_key is None


@pytest.mark.parametrize(
    ("questionnaire_id", "kwargs", "expected"),
    [
        ("sipas", {"submission": Submission({"TC1": 6})}, "TC1: 6 is not an answer on the scale [0, 1, 2, 3, 4, 5]"),
        ("sipas", {"submission": Submission({"XX9": 4})}, "XX9: not a question of sipas"),
        ("sipas", {"submission": Submission({"TC1": -1})}, "TC1: -1 is not an answer"),
        ("quick", {"submission": Submission({"DV1": 0})}, "DV1: 0 is not an answer on the scale [1, 2, 3]"),
        ("quick", {"submission": Submission({"DV2": 3})}, "DV1: an answer is required"),
        ("sipas", {"submission": Submission(expectations=frozenset({"MD9"}))}, "expectations: unknown option MD9"),
        ("sipas", {"submission": Submission(expectations=frozenset({"MD1", "MD2", "MD3", "MD4"}))},
         "expectations: at most 3 choices"),
        ("quick", {"submission": Submission({"DV1": 3}, expectations=frozenset({"MD1"}))},
         "expectations: quick has no such question"),
        ("sipas", {"submission": Submission(profile={"gender": "robot"})}, "gender: unknown option robot"),
        ("sipas", {"submission": Submission(profile={"income": "high"})}, "income: not a profile question of sipas"),
        ("quick", {"submission": Submission({"DV1": 3}, comment="x" * 501)}, "comment: longer than 500 characters"),
        ("sipas", {"locale": "fr"}, "locale: fr is not a language of sipas"),
        ("sipas", {"channel": "email"}, "channel: email is not one of"),
    ],
)
def test_rejects_an_invalid_submission_adding_nothing(ctx, questionnaire_id, kwargs, expected):
    arguments = {"submission": Submission({"TC1": 4}), "locale": "vi", "channel": "link", **kwargs}
    with pytest.raises(InvalidSubmission) as caught:
        record_response(db.session, unit=unit(), questionnaire=catalog_of(ctx).get(questionnaire_id),
                        submitted_at=WHEN, submission_key="never-stored", **arguments)
    assert any(problem.startswith(expected) for problem in caught.value.problems), caught.value.problems
    assert not db.session.new
    db.session.commit()
    assert counts() == (0, 0, 0)
    assert not already_submitted(db.session, "never-stored")


def test_every_problem_is_listed(ctx):
    with pytest.raises(InvalidSubmission) as caught:
        record_response(db.session, unit=unit(), questionnaire=catalog_of(ctx).get("sipas"),
                        submission=Submission({"TC1": 9, "TT2": 7}, profile={"gender": "x"}),
                        locale="de", channel="fax", submitted_at=WHEN)
    assert len(caught.value.problems) == 5
    assert str(caught.value) == "; ".join(caught.value.problems)


def test_submission_key_counts_a_response_once(ctx):
    sipas = catalog_of(ctx).get("sipas")

    def submit(ratings: dict[str, int]) -> None:
        record_response(db.session, unit=unit(), questionnaire=sipas, submission=Submission(ratings),
                        locale="vi", channel="link", submitted_at=WHEN, submission_key="a" * 64)

    assert not already_submitted(db.session, "a" * 64)
    submit({"TC1": 5})
    db.session.commit()
    assert already_submitted(db.session, "a" * 64)
    assert not already_submitted(db.session, "b" * 64)

    with pytest.raises(IntegrityError):
        submit({"TC1": 1})  # the flush inside record_response hits the unique constraint
        db.session.commit()
    db.session.rollback()
    assert counts() == (1, 1, 0)
    assert db.session.scalar(select(Answer.value)) == 5


def test_submission_key_race_is_settled_by_the_database(ctx):
    """Two app servers both pass already_submitted(); the unique key refuses the second insert."""
    sipas = catalog_of(ctx).get("sipas")
    with Session(db.engine) as second:
        second_unit = unit_by_code(second, "P-BN")
        assert not already_submitted(db.session, "same")
        assert not already_submitted(second, "same")
        record_response(db.session, unit=unit(), questionnaire=sipas, submission=Submission({"TC1": 5}),
                        locale="vi", channel="link", submitted_at=WHEN, submission_key="same")
        db.session.commit()
        with pytest.raises(IntegrityError):
            record_response(second, unit=second_unit, questionnaire=sipas, submission=Submission({"TC1": 2}),
                            locale="vi", channel="link", submitted_at=WHEN, submission_key="same")
            second.commit()
        second.rollback()
    assert counts() == (1, 1, 0)
    assert db.session.scalar(select(Answer.value)) == 5


def test_keys_may_be_absent_many_times(ctx):
    # NULL is not equal to NULL: imported responses without a key never collide.
    sipas = catalog_of(ctx).get("sipas")
    for _ in range(3):
        record_response(db.session, unit=unit(), questionnaire=sipas, submission=Submission({"TC1": 4}),
                        locale="vi", channel="import", submitted_at=WHEN)
    db.session.commit()
    assert counts() == (3, 3, 0)
