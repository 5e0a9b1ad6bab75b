"""The test factories themselves: a wrong tree or a criterion the file lacks must fail loudly,
or a test built on them could pass for the wrong reason."""

from __future__ import annotations

import pytest
from factories import (
    criteria_codes,
    cycled_submission,
    form_fields,
    full_submission,
    quick,
    sipas,
    submission,
    unit_tree,
)
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session
        db.session.rollback()


def test_unit_tree_reads_paths_and_shares_units_between_them(session):
    made = unit_tree(session, "HCM > Q1 > P-BN, P-DK; HCM > Q3; SO", {"HCM": "TP Hồ Chí Minh"})
    stored = {u.code: (u.name, u.parent.code if u.parent else None) for u in session.scalars(select(Unit))}
    assert stored == {"HCM": ("TP Hồ Chí Minh", None), "Q1": ("Q1", "HCM"), "P-BN": ("P-BN", "Q1"),
                      "P-DK": ("P-DK", "Q1"), "Q3": ("Q3", "HCM"), "SO": ("SO", None)}
    assert all(unit.id is not None for unit in made.values())  # flushed


@pytest.mark.parametrize(("tree", "names"), [
    ("A > B, C > D", {}),          # several units before the last step
    ("A > > B", {}),               # an empty step
    ("A > B; C > B", {}),          # B under two parents
    ("A > B", {"X": "Unknown"}),   # a name for a unit not in the tree
])
def test_unit_tree_refuses_what_it_cannot_read(session, tree, names):
    with pytest.raises(ValueError):
        unit_tree(session, tree, names)


def test_answers_come_from_the_questionnaire_file():
    q = sipas()
    assert criteria_codes(q) == list(q.criterion_codes) and len(criteria_codes(q)) == 22
    assert criteria_codes(quick()) == ["DV1", "DV2", "DV3", "DV4"]
    assert full_submission(q, 4).ratings == dict.fromkeys(q.criterion_codes, 4)
    assert full_submission(q, 4, PA4=0, comment="x").ratings["PA4"] == 0
    assert list(cycled_submission(q).ratings.values())[:7] == [1, 2, 3, 4, 5, 1, 2]
    with pytest.raises(ValueError, match="not criteria of sipas"):
        submission(q, TC9=5)
    with pytest.raises(ValueError, match="not criteria of quick"):
        full_submission(quick(), 3, TC1=5)


def test_form_fields_post_what_the_survey_form_reads():
    q = sipas()
    fields = form_fields(submission(q, TC1=5, PA4=0, expectations=("MD5", "MD2"),
                                    profile={"gender": "male"}, comment=" ok "))
    assert fields == {"TC1": "5", "PA4": "0", "expectations": ["MD2", "MD5"], "gender": "male",
                      "comment": " ok "}
    assert form_fields(submission(q)) == {}
