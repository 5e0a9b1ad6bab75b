"""services.units: finding units, the all-or-nothing CSV upsert, and every unit's subtree."""

from __future__ import annotations

import pytest
from factories import unit_tree

from survey_app.domain.csv_files import CsvError
from survey_app.extensions import db
from survey_app.services.units import (
    all_units,
    descendant_ids,
    import_units,
    unit_by_code,
)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app
        db.session.rollback()


def tree() -> dict[str, tuple[str, str | None]]:
    return {u.code: (u.name, u.parent.code if u.parent else None) for u in all_units(db.session)}


def test_unit_by_code_and_all_units_by_code(ctx):
    made = unit_tree(db.session, "HCM > Q3; HCM > Q1 > P-BN")
    assert unit_by_code(db.session, "Q1") is made["Q1"]
    assert unit_by_code(db.session, "q1") is None  # codes are exact
    assert unit_by_code(db.session, "NOPE") is None
    assert [u.code for u in all_units(db.session)] == ["HCM", "P-BN", "Q1", "Q3"]


def test_import_creates_then_updates_and_counts_both(ctx):
    first = "code,name,parent\nHCM,TP HCM,\nQ1,Quận 1,HCM\nP-BN,Phường Bến Nghé,Q1\n".encode()
    assert import_units(db.session, first) == (3, 0)
    # Q1 renamed, P-BN moved under HCM, Q3 new, HCM unchanged (not counted as updated).
    second = "code,name,parent\nHCM,TP HCM,\nQ1,UBND Quận 1,HCM\nP-BN,Phường Bến Nghé,HCM\nQ3,Quận 3,HCM\n".encode()
    assert import_units(db.session, second) == (1, 2)
    assert tree() == {"HCM": ("TP HCM", None), "Q1": ("UBND Quận 1", "HCM"),
                      "P-BN": ("Phường Bến Nghé", "HCM"), "Q3": ("Quận 3", "HCM")}


def test_a_bad_file_changes_nothing_and_names_each_line(ctx):
    unit_tree(db.session, "HCM > Q1")
    before = tree()
    bad = "code,name,parent\nQ1,Renamed,HCM\nP1,Phường 1,NOPE\nA,A,B\nB,B,A\n".encode()
    with pytest.raises(CsvError) as caught:
        import_units(db.session, bad)
    # Line 2 alone would be fine; it is not applied either.
    assert caught.value.problems == ["line 3: parent 'NOPE' of P1 is not a known unit",
                                     "line 4: A would be its own ancestor: A -> B -> A"]
    assert tree() == before


def test_descendant_ids_is_each_unit_with_everything_below_it(ctx):
    made = unit_tree(db.session, "HCM > Q1 > P-BN, P-DK; HCM > Q3; OTHER")
    ids = {code: unit.id for code, unit in made.items()}
    subtree = descendant_ids(all_units(db.session))
    named = {code: {c for c, i in ids.items() if i in subtree[ids[code]]} for code in ids}
    assert named == {
        "HCM": {"HCM", "Q1", "P-BN", "P-DK", "Q3"},
        "Q1": {"Q1", "P-BN", "P-DK"},
        "P-BN": {"P-BN"}, "P-DK": {"P-DK"}, "Q3": {"Q3"}, "OTHER": {"OTHER"},
    }
    assert descendant_ids([]) == {}
