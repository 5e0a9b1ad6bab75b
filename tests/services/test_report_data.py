"""services.report_data: every figure agrees with ``scores --format json`` of the same period."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from survey_app import catalog_of
from survey_app.domain.change import change_between
from survey_app.domain.masking import PHONE_MASK
from survey_app.domain.periods import Period, period_of
from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.services import report_data, responses, units
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


def scores_json(runner, *args) -> dict:
    result = runner.invoke(args=["scores", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def same(value):
    """Equal to the JSON's value; floats to the last few bits (the sum order may differ)."""
    return None if value is None else pytest.approx(value, rel=1e-12, abs=1e-12)


def query(app, period: Period, unit: str | None = None) -> ScoreQuery:
    return ScoreQuery(questionnaire=catalog_of(app).get("sipas"), period=period, tz=LOCAL,
                      min_ranked=app.config["MIN_RANKED_RESPONSES"], unit_code=unit)


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
        first = report_data.unit_comments(db.session, sipas, "SO", q1, LOCAL, page=1, per_page=3)
        second = report_data.unit_comments(db.session, sipas, "SO", q1, LOCAL, page=2, per_page=3)
        leaf = report_data.unit_comments(db.session, sipas, "STP", q1, LOCAL)
        with pytest.raises(UnknownUnit):
            report_data.unit_comments(db.session, sipas, "NOPE", q1, LOCAL)
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (4, 1, 3, 2)
    assert [i["text"] for i in first["items"]] == ["Cuối quý", "Chờ lâu", "Cần thêm ghế"]
    assert [i["text"] for i in second["items"]] == [f"Tốt. Gọi {PHONE_MASK}"]
    assert [i["channel"] for i in first["items"]] == ["link", "kiosk", "paper"]
    assert first["items"][0]["submitted_at"] == datetime(2026, 3, 31, 23, 59, tzinfo=LOCAL)
    assert first["items"][0]["submitted_at"].utcoffset().total_seconds() == 7 * 3600
    assert [i["text"] for i in leaf["items"]] == ["Cuối quý", f"Tốt. Gọi {PHONE_MASK}"]
    assert leaf["pages"] == 1


def test_quarterly_trend_equals_scores_of_each_quarter(tree, runner):
    rows = []
    for year, quarter, satisfied, total in [(2024, 3, 1, 2), (2025, 1, 3, 4), (2025, 2, 2, 5),
                                            (2025, 4, 4, 4), (2026, 1, 1, 3), (2026, 2, 5, 6)]:
        month = 3 * (quarter - 1) + 1
        for i in range(total):
            unit = ("STP", "SXD", "SO")[i % 3]
            rows.append((unit, f"{year}-{month:02d}-0{1 + i % 3} 0{i % 9}:00",
                         {"TC1": 5 if i < satisfied else 2, "TT1": 4 if i % 2 else 1, "CC2": 5}, "link"))
    rows.append(("X1", "2026-05-01 08:00", {"TC1": 1}, "link"))          # outside the subtree
    rows.append(("STP", "2026-07-01 00:00", {"TC1": 1}, "link"))         # after the last quarter
    add(tree, *rows)
    last = period_of("quarter", date(2026, 4, 1))
    with tree.app_context():
        trend = report_data.quarterly_trend(db.session, query(tree, last), "SO", last)
    assert [p["label"] for p in trend] == ["Q3/2024", "Q4/2024", "Q1/2025", "Q2/2025", "Q3/2025",
                                           "Q4/2025", "Q1/2026", "Q2/2026"]
    for point in trend:
        expected = scores_json(runner, "--from", point["from"], "--to", point["to"], "--unit", "SO")["overall"]
        assert point["n"] == expected["n"]
        assert point["index"] == same(expected["index"])
        assert point["ci"] == same(expected["ci"])
        assert point["elements"] == {code: same(e["index"]) for code, e in expected["elements"].items()}
    assert [p["n"] for p in trend] == [2, 0, 4, 5, 0, 4, 3, 6]
    assert trend[1]["index"] is None and trend[1]["elements"]["TC"] is None


def test_channel_split_and_suppression(tree):
    # 10 kiosk respondents in SO's subtree: 7 satisfied on TC1 -> SIPAS 70 (only TC is scored).
    add(tree, *[(("STP", "SXD")[i % 2], f"2026-02-{i + 1:02d} 09:00", {"TC1": 5 if i < 7 else 3}, "kiosk")
                for i in range(10)])
    add(tree, *[("STP", f"2026-02-{i + 1:02d} 10:00", {"TC1": 5}, "link") for i in range(9)],
        ("X1", "2026-02-01 10:00", {"TC1": 1}, "kiosk"))   # not in SO
    with tree.app_context():
        split = report_data.channel_split(db.session, catalog_of(tree).get("sipas"), "SO",
                                          period_of("quarter", date(2026, 1, 1)), LOCAL)
    assert set(split) == {"link", "invitation", "kiosk", "paper", "import"}
    assert split["kiosk"]["n"] == 10 and split["kiosk"]["index"] == pytest.approx(70.0)
    assert split["kiosk"]["ci"][0] < 70.0 < split["kiosk"]["ci"][1]
    assert split["link"] == {"n": 9, "suppressed": True}
    assert split["paper"] == {"n": 0, "suppressed": True}
    assert report_data.MIN_BREAKDOWN_RESPONSES == 10


def test_report_document(tree, runner):
    def quarter(year, month, unit, satisfied, total, channel="link"):
        return [(unit, f"{year}-{month:02d}-{i % 27 + 1:02d} 10:00",
                 {"TC1": 5 if i < satisfied else 1, "TT1": 5 if i % 3 else 2, "CC1": 4, "KQ1": 5 if i % 2 else 3},
                 channel, None, ("MD2", "MD5") if i % 2 else ("MD5",)) for i in range(total)]
    add(tree, *quarter(2026, 1, "STP", 10, 30), *quarter(2026, 1, "SXD", 25, 30), *quarter(2026, 1, "X1", 5, 10),
        *quarter(2026, 4, "STP", 28, 30), *quarter(2026, 4, "SXD", 15, 30), *quarter(2026, 4, "X1", 5, 10),
        ("STP", "2026-05-02 08:00", {"TC1": 5}, "kiosk", "Liên hệ nguyen.a@gmail.com hoặc 0987654321"))
    q2 = period_of("quarter", date(2026, 4, 1))
    with tree.app_context():
        document = report_data.report_document(db.session, query(tree, q2, "SO"), comments_limit=10, language="en")
        with pytest.raises(UnknownUnit):
            report_data.report_document(db.session, query(tree, q2, "NOPE"))
    now = scores_json(runner, "--from", "2026-04-01", "--to", "2026-06-30", "--unit", "SO")
    for unit in now["units"]:
        del unit["cases"]  # the JSON's citizens' requests (services/case_report.py), not a score
    before = scores_json(runner, "--from", "2026-01-01", "--to", "2026-03-31", "--unit", "SO")
    assert document["scores"] == now
    assert document["period"] == {"from": "2026-04-01", "to": "2026-06-30"}
    assert document["previous_period"] == {"from": "2026-01-01", "to": "2026-03-31"}
    assert document["scope"] == {"unit": "SO", "name": "Các sở, ban, ngành"}
    assert document["overall"]["previous"] == {k: before["overall"][k] for k in ("n", "index", "ci")}
    now_units, before_units = ({u["unit"]: u for u in d["units"]} for d in (now, before))
    assert set(document["units"]) == {"SO", "STP", "SXD"}
    for code, extra in document["units"].items():
        b, n = before_units[code], now_units[code]
        assert extra["previous"] == {"n": b["n"], "index": b["index"], "ci": b["ci"], "rank": b["rank"]}
        expected = change_between(n["index"], n["ci"], b["index"], b["ci"]).as_dict()
        assert extra["change"] == expected
        assert extra["change"]["value"] == pytest.approx(n["index"] - b["index"])
    # STP rose from 10/30 to 28/30 satisfied on TC1: significant; SO pooled stays near.
    assert document["units"]["STP"]["change"]["significant"] is True
    assert document["units"]["STP"]["change"]["value"] > 0
    assert document["overall"]["change"]["value"] == pytest.approx(now["overall"]["index"] - before["overall"]["index"])
    assert set(document["overall"]["element_changes"]) == {"TC", "TT", "CC", "KQ", "PA"}
    assert document["overall"]["element_changes"]["PA"] is None

    weakest = document["units"]["SXD"]["weakest"]
    assert [w["code"] for w in weakest] == ["TC1", "KQ1", "TT1"]   # 50.0, 50.0 (ties by code), 66.7
    assert weakest[0]["index"] == pytest.approx(100 * 15 / 30)
    assert weakest[0]["label"].startswith("There are enough seats")
    expectations = document["units"]["STP"]["expectations"]
    assert [e["code"] for e in expectations][:2] == ["MD5", "MD2"]
    assert expectations[0]["share"] == pytest.approx(100.0) and expectations[1]["share"] == pytest.approx(50.0)
    assert expectations[0]["label"] == document["labels"]["expectations"]["MD5"]
    assert document["labels"]["elements"]["TC"] == "Access to the service"
    assert document["comments"]["total"] == 1
    assert document["comments"]["items"][0]["text"] == f"Liên hệ [email] hoặc {PHONE_MASK}"
    assert document["comments"]["items"][0]["unit"] == "STP"
    assert document["methodology"] | {"content_hash": None} == {
        "questionnaire": "sipas", "version": 1, "content_hash": None, "min_ranked": 2, "confidence": 0.95,
        "satisfied_from": 4, "scale": document["methodology"]["scale"], "criterion_interval": "wilson",
        "index_interval": "taylor-linearised",
        "change_test": "two-sided z test at 5%, standard errors from the interval half-widths",
        "alpha": "cronbach, respondents who rated every criterion of the element", "alpha_min_respondents": 10,
        "timezone": "Asia/Ho_Chi_Minh", "responses": now["overall"]["n"]}
    assert len(document["methodology"]["content_hash"]) == 64
