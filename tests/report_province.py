"""A small province whose ranks, rank changes, comments and invitations are known by design,
for the officers' pages, their files and the browser journey.

    TINH (root)
      SO: STP, SXD, SCT, SYT, SNV        XA: X1, X2

Every response rates every SIPAS criterion alike, either 5 (satisfied) or 2, so that a unit's
index is simply its share of satisfied responses. MIN_RANKED_RESPONSES is 3.

                Q4 2025 (previous)        Q1 2026 (the period)
    STP         2 of 3 -> 66.7, rank 2    4 of 4 -> 100, rank 1    up 1
    SXD         1 of 3 -> 33.3, rank 4    3 of 4 ->  75, rank 2    up 2
    SCT         2 of 4 ->   50, rank 3    2 of 4 ->  50, rank 3    unchanged
    SYT         3 of 3 ->  100, rank 1    1 of 3 -> 33.3, rank 4   down 3
    SNV         2 of 2 (not ranked)       1 response: not enough responses, no rank
    X1          none                      3 of 4, ranked for the first time
    X2          2 of 3                    23 responses, each with a comment (pagination)

STP issued 4 invitations in Q1 2026, 3 of them answered (response rate 75%).

``build(app, quarter=...)`` moves the same data to another quarter (and the one before it), for
the browser journey, which picks the last full quarter of today.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from survey_app import catalog_of
from survey_app.domain.periods import Period
from survey_app.domain.submission import Submission
from survey_app.extensions import db
from survey_app.services import responses, units
from survey_app.services.invitations import claim, issue_invitations

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
FROM, TO = "2026-01-01", "2026-03-31"
PERIOD = {"from": FROM, "to": TO}
MIN_RANKED = 3

TREE = """code,name,parent
TINH,UBND tỉnh Bình An,
SO,"Các sở, ban, ngành",TINH
STP,Sở Tư pháp,SO
SXD,Sở Xây dựng,SO
SCT,Sở Công Thương,SO
SYT,Sở Y tế,SO
SNV,Sở Nội vụ,SO
XA,"Các xã, phường",TINH
X1,Xã Đông Hòa,XA
X2,Phường Ánh Dương,XA
"""

# (unit, satisfied, total) per period
PREVIOUS = [("STP", 2, 3), ("SXD", 1, 3), ("SCT", 2, 4), ("SYT", 3, 3), ("SNV", 2, 2), ("X2", 2, 3)]
CURRENT = [("STP", 4, 4), ("SXD", 3, 4), ("SCT", 2, 4), ("SYT", 1, 3), ("SNV", 1, 1), ("X1", 3, 4)]
# X2 in Q1 2026: comments numbered 1 (oldest) to 23 (newest), one a day from 1 February.
X2_COMMENTS = 23
# Comments that must never be shown as typed.
PERSONAL = {
    "STP": "Gọi tôi 0912 345 678 hoặc viết lan.nguyen@example.vn, CCCD 079123456789.",
    "SXD": "<script>alert(1)</script> <img src=\"file:///etc/passwd\"> = 1+1",
}


def _ratings(questionnaire, satisfied: bool) -> dict[str, int]:
    return {code: 5 if satisfied else 2 for code in questionnaire.criterion_codes}


def build(app, quarter: Period = Period(date(2026, 1, 1), date(2026, 3, 31))) -> None:
    """The province above, stored through the services; ``quarter`` plays Q1 2026."""
    previous = quarter.previous()

    def at(start: date, days: int, hour: int) -> datetime:
        return datetime.combine(start + timedelta(days=days), datetime.min.time(), tzinfo=LOCAL).replace(hour=hour)

    app.config["MIN_RANKED_RESPONSES"] = MIN_RANKED
    q = catalog_of(app).get("sipas")
    with app.app_context():
        units.import_units(db.session, TREE.encode("utf-8"))
        by_code = {code: units.unit_by_code(db.session, code) for code in
                   ("STP", "SXD", "SCT", "SYT", "SNV", "X1", "X2")}

        def add(code: str, when: datetime, satisfied: bool, *, comment: str | None = None,
                channel: str = "link", expectations: frozenset[str] = frozenset()) -> None:
            responses.record_response(
                db.session, unit=by_code[code], questionnaire=q,
                submission=Submission(ratings=_ratings(q, satisfied), expectations=expectations,
                                      comment=comment),
                locale="vi", channel=channel, submitted_at=when)

        for day, rows in ((at(previous.start, 33, 9), PREVIOUS), (at(quarter.start, 32, 9), CURRENT)):
            for code, satisfied, total in rows:
                for i in range(total):
                    add(code, day + timedelta(hours=i), i < satisfied,
                        channel="kiosk" if i % 2 else "link",
                        expectations=frozenset({"MD1", "MD2"} if i % 2 else {"MD1"}),
                        comment=PERSONAL.get(code) if rows is CURRENT and i == 0 else None)
        for i in range(X2_COMMENTS):
            add("X2", at(quarter.start, 31 + i, 8), i % 3 != 0,
                comment=f"Ý kiến số {i + 1:02d}", channel="invitation" if i % 2 else "link")
        issued = issue_invitations(db.session, unit=by_code["STP"], count=4,
                                   now=at(quarter.start, 40, 8),
                                   valid_days=30, tz=LOCAL)
        for item in issued[:3]:
            answered = at(quarter.start, 41, 8)
            claim(db.session, item.invitation, answered, answered.date())
        db.session.commit()
