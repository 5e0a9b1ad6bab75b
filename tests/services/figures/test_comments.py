"""services.figures.comments: the comments of a scope, newest first, masked, paginated."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from survey_app import catalog_of
from survey_app.domain.masking import PHONE_MASK
from survey_app.domain.periods import period_of
from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.services import responses, units
from survey_app.services.figures import comments
from survey_app.services.scores import ScoreQuery, UnknownUnit

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
TREE = """code,name,parent
TINH,UBND tỉnh Bình An,
SO,"Các sở, ban, ngành",TINH
STP,Sở Tư pháp,SO
SXD,Sở Xây dựng,SO
XA,Các xã,TINH
X1,Xã Một,XA
"""


def add(app, *rows):
    """rows: (unit, local time, ratings, channel[, comment[, expectations[, questionnaire]]])."""
    catalog = catalog_of(app)
    with app.app_context():
        for unit, moment, ratings, channel, *rest in rows:
            comment = rest[0] if rest else None
            chosen = frozenset(rest[1]) if len(rest) > 1 else frozenset()
            questionnaire = catalog.get(rest[2] if len(rest) > 2 else "sipas")
            responses.record_response(
                db.session, unit=units.unit_by_code(db.session, unit), questionnaire=questionnaire,
                submission=Submission(ratings=dict(ratings), expectations=chosen, comment=comment),
                locale="vi", channel=channel,
                submitted_at=datetime.fromisoformat(moment).replace(tzinfo=LOCAL))
        db.session.commit()


@pytest.fixture
def tree(app):
    app.config["MIN_RANKED_RESPONSES"] = 2
    with app.app_context():
        units.import_units(db.session, TREE.encode())
        db.session.commit()
    return app


def test_unit_comments_newest_first_masked_paginated(tree):
    add(tree,
        ("STP", "2026-03-02 08:00", {"TC1": 5}, "link", "Tốt. Gọi 0912 345 678"),
        ("SXD", "2026-03-05 09:30", {"TC1": 4}, "kiosk", "Chờ lâu"),
        ("SO", "2026-03-04 10:00", {"TC1": 3}, "paper", "Cần thêm ghế"),
        ("STP", "2026-03-31 23:59", {"TC1": 2}, "link", "Cuối quý"),
        ("STP", "2026-03-06 08:00", {"TC1": 5}, "link", None),                 # no comment
        ("X1", "2026-03-03 08:00", {"TC1": 5}, "link", "Xã khác"),              # outside SO
        ("STP", "2026-04-01 00:00", {"TC1": 5}, "link", "Quý sau"),             # next quarter
        ("STP", "2026-03-03 08:00", {"DV1": 3}, "link", "Phiếu ngắn", (), "quick"),  # another questionnaire
    )
    q1 = period_of("quarter", date(2026, 1, 1))
    with tree.app_context():
        sipas = catalog_of(tree).get("sipas")
        asked = ScoreQuery(questionnaire=sipas, period=q1, tz=LOCAL)
        first = comments(db.session, asked, "SO", page=1, per_page=3)
        second = comments(db.session, asked, "SO", page=2, per_page=3)
        leaf = comments(db.session, asked, "STP")
        with pytest.raises(UnknownUnit):
            comments(db.session, asked, "NOPE")
    assert (first.total, first.page, first.per_page, first.pages) == (4, 1, 3, 2)
    assert [i.text for i in first.items] == ["Cuối quý", "Chờ lâu", "Cần thêm ghế"]
    assert [i.text for i in second.items] == [f"Tốt. Gọi {PHONE_MASK}"]
    assert [i.channel for i in first.items] == ["link", "kiosk", "paper"]
    assert first.items[0].submitted_at == datetime(2026, 3, 31, 23, 59, tzinfo=LOCAL)
    assert first.items[0].submitted_at.utcoffset().total_seconds() == 7 * 3600
    assert [i.text for i in leaf.items] == ["Cuối quý", f"Tốt. Gọi {PHONE_MASK}"]
    assert leaf.pages == 1
