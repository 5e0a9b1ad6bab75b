"""Volumes (services/volumes.py) and the weighted block they make possible (services/figures).

The weighted figures are worked out by hand on the quick questionnaire: a respondent who rates
every criterion 3 is satisfied everywhere (SIPAS 100 alone), one who rates 1 nowhere (0).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import full_submission, invitations, quick, record, unit_tree
from sqlalchemy import select

from survey_app.domain.csv_files import CsvError
from survey_app.domain.periods import Period
from survey_app.extensions import db
from survey_app.models.volume import Volume
from survey_app.services.figures import FiguresQuery, scope_figures
from survey_app.services.units import descendant_ids
from survey_app.services.volumes import cell_volumes, import_volumes


def weighted_figures(session, q, period, tz, all_units, subtree):
    """({unit id: the weighted block of its subtree or None}, overall's) from the figures engine."""
    found = scope_figures(session, FiguresQuery(q, period, tz))

    def block(weighted):
        return None if weighted is None else {"index": weighted.index.value, "deff": weighted.deff,
                                              "ci": list(weighted.index.ci) if weighted.index.ci else None}

    by_code = {u.unit: block(u.weighted) for u in found.units}
    return {u.id: by_code[u.code] for u in all_units}, block(found.overall.weighted)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
IN_MARCH = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)


def csv(*rows: str) -> bytes:
    return ("unit,channel,period_start,period_end,count\n" + "\n".join(rows) + "\n").encode()


def stored() -> set[tuple[str, str, date, date, int]]:
    return {(v.unit.code, v.channel, v.period_start, v.period_end, v.count) for v in db.session.scalars(select(Volume))}


def test_import_adds_then_replaces_the_same_period(app):
    with app.app_context():
        unit_tree(db.session, "P > A, B")
        assert import_volumes(db.session, csv("A,kiosk,2026-03-01,2026-03-31,300",
                                              "B,link,2026-01-01,2026-03-31,90")) == (2, 0)
        assert import_volumes(db.session, csv("A,kiosk,2026-03-01,2026-03-31,310",
                                              "A,kiosk,2026-04-01,2026-04-30,280")) == (1, 1)
        assert stored() == {("A", "kiosk", date(2026, 3, 1), date(2026, 3, 31), 310),
                            ("A", "kiosk", date(2026, 4, 1), date(2026, 4, 30), 280),
                            ("B", "link", date(2026, 1, 1), date(2026, 3, 31), 90)}


def test_import_is_all_or_nothing(app):
    with app.app_context():
        unit_tree(db.session, "P > A")
        import_volumes(db.session, csv("A,kiosk,2026-03-01,2026-03-31,300"))
        with pytest.raises(CsvError) as raised:
            import_volumes(db.session, csv("A,link,2026-03-01,2026-03-31,5",        # fine on its own
                                           "A,kiosk,2026-03-15,2026-04-15,40",      # overlaps the stored March
                                           "Z,kiosk,2026-03-01,2026-03-31,x"))
        assert raised.value.problems == [
            "line 3: A kiosk 2026-03-15..2026-04-15 overlaps the stored volume of 2026-03-01..2026-03-31",
            "line 4: unknown unit 'Z'",
            "line 4: count 'x' is not a whole number from 0 to 2147483647",
        ]
        assert stored() == {("A", "kiosk", date(2026, 3, 1), date(2026, 3, 31), 300)}


def test_volumes_of_a_period_prorate_and_need_every_day(app):
    with app.app_context():
        units = unit_tree(db.session, "P > A, B, C")
        import_volumes(db.session, csv(
            "A,kiosk,2026-01-01,2026-03-31,900",   # a quarter: 31/90 of it in March
            "A,link,2026-03-01,2026-03-30,100",    # 31 March missing: March is not covered
            "B,invitation,2026-03-01,2026-03-31,0",
            "C,paper,2026-04-01,2026-04-30,50",    # outside March
        ))
        # Issued invitations stand in for an invitation channel nobody imported (A), never
        # for one that was imported (B).
        invitations(db.session, units["A"], count=4, at=IN_MARCH)
        invitations(db.session, units["B"], count=7, at=IN_MARCH)
        invitations(db.session, units["C"], count=2, at=datetime(2026, 4, 2, tzinfo=TZ))
        volumes = cell_volumes(db.session, MARCH, TZ)
        assert volumes == {(units["A"].id, "kiosk"): pytest.approx(900 * 31 / 90),
                           (units["A"].id, "invitation"): 4.0,
                           (units["B"].id, "invitation"): 0.0}


def test_weighted_block_is_the_volume_weighted_mean_when_every_cell_is_covered(app):
    q = quick()
    with app.app_context():
        units = unit_tree(db.session, "P > A, B")
        a, b = units["A"], units["B"]
        # A: kiosk 3 of 4 satisfied, open link 1 of 4; B: kiosk 2 of 2.
        for unit, channel, levels in ((a, "kiosk", [3, 3, 3, 1]), (a, "link", [3, 1, 1, 1]),
                                      (b, "kiosk", [3, 3])):
            for level in levels:
                record(db.session, unit, q, full_submission(q, level), at=IN_MARCH, channel=channel)
        all_units = [units["P"], a, b]
        subtree = descendant_ids(all_units)

        assert weighted_figures(db.session, q, MARCH, TZ, all_units, subtree) == (
            {u.id: None for u in all_units}, None)

        import_volumes(db.session, csv("A,kiosk,2026-03-01,2026-03-31,300", "A,link,2026-03-01,2026-03-31,100"))
        per_unit, overall = weighted_figures(db.session, q, MARCH, TZ, all_units, subtree)
        assert per_unit[a.id]["index"] == pytest.approx(100 * (0.75 * 3 / 4 + 0.25 * 1 / 4))
        assert set(per_unit[a.id]) == {"index", "ci", "deff"}
        # B's kiosk has raters but no volume: B, and P and overall which hold it, are not weighted.
        assert (per_unit[b.id], per_unit[units["P"].id], overall) == (None, None, None)

        import_volumes(db.session, csv("B,kiosk,2026-02-01,2026-03-31,600"))   # 59 days, 31 in March
        per_unit, overall = weighted_figures(db.session, q, MARCH, TZ, all_units, subtree)
        b_volume = 600 * 31 / 59
        expected = 100 * (300 * 3 / 4 + 100 * 1 / 4 + b_volume * 1) / (400 + b_volume)
        assert overall["index"] == pytest.approx(expected)
        assert per_unit[units["P"].id] == overall
        assert per_unit[b.id]["index"] == 100.0
        assert per_unit[a.id]["deff"] > 0
