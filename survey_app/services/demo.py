"""A demo province with synthetic but plausible responses, so that scores show something at once."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy.orm import Session

from survey_app.domain.catalog import Catalog
from survey_app.domain.questionnaire import NO_OPINION, Questionnaire
from survey_app.domain.submission import Submission
from survey_app.models import Unit
from survey_app.services.responses import record_response

PROVINCE = ("DEMO", "UBND tỉnh An Phú (dữ liệu mẫu)")
GROUPS = {
    ("SO", "Các sở, ban, ngành"): [
        ("STP", "Sở Tư pháp"), ("SKHDT", "Sở Kế hoạch và Đầu tư"),
        ("STNMT", "Sở Tài nguyên và Môi trường"), ("SXD", "Sở Xây dựng"),
        ("SGTVT", "Sở Giao thông vận tải"), ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"),
        ("SYT", "Sở Y tế"), ("SCT", "Sở Công Thương"),
    ],
    ("XA", "Các xã, phường, thị trấn"): [
        ("P-ANLAC", "Phường An Lạc"), ("P-TANDINH", "Phường Tân Định"), ("X-TANPHU", "Xã Tân Phú"),
        ("X-BINHHOA", "Xã Bình Hòa"), ("X-PHUOCLOC", "Xã Phước Lộc"), ("X-LONGTHANH", "Xã Long Thạnh"),
        ("TT-HOAAN", "Thị trấn Hòa An"), ("X-DAKNONG", "Xã Đắk Nông"), ("X-MYXUYEN", "Xã Mỹ Xuyên"),
    ],
}
COMMENTS = [
    "Cán bộ hướng dẫn nhiệt tình, rất hài lòng.",
    "Phải chờ lâu, nên bố trí thêm ghế ngồi.",
    "Nên niêm yết rõ hơn mức phí, lệ phí.",
    "Máy lấy số thứ tự hay bị hỏng.",
    "Thủ tục còn rườm rà, cần đơn giản hơn.",
    "Trả kết quả đúng hẹn, cảm ơn.",
    "Không biết gửi góp ý ở đâu.",
]


@dataclass(frozen=True)
class DemoSummary:
    units: int
    responses: int


def _units(session: Session) -> list[Unit]:
    root = Unit(code=PROVINCE[0], name=PROVINCE[1])
    made = [root]
    for (group_code, group_name), members in GROUPS.items():
        group = Unit(code=group_code, name=group_name, parent=root)
        made.append(group)
        made += [Unit(code=code, name=name, parent=group) for code, name in members]
    session.add_all(made)
    session.flush()
    return made


def _submission(q: Questionnaire, rng: random.Random, quality: float, offsets: dict[str, float]) -> Submission:
    mood = rng.gauss(0, 0.6)  # one respondent's answers move together
    ratings: dict[str, int] = {}
    top = max(q.scale.values)
    for element in q.elements:
        for criterion in element.criteria:
            roll = rng.random()
            if roll < 0.03 and not criterion.required:
                continue  # left blank
            if roll < 0.07 and q.scale.no_opinion:
                ratings[criterion.code] = NO_OPINION
                continue
            latent = (top + 1) * (0.45 + 0.5 * quality) + offsets[element.code] + mood + rng.gauss(0, 0.6)
            ratings[criterion.code] = min(top, max(1, round(latent)))
    expectations: frozenset[str] = frozenset()
    if q.expectations and rng.random() < 0.8:
        codes = [o.code for o in q.expectations.options]
        expectations = frozenset(rng.sample(codes, rng.randint(1, min(3, q.expectations.max_choices))))
    profile = {p.code: rng.choice(p.options).code for p in q.profile if rng.random() < 0.6}
    comment = rng.choice(COMMENTS) if q.comment and rng.random() < 0.05 else None
    return Submission(ratings, expectations, profile, comment)


def create_demo(session: Session, catalog: Catalog, *, responses: int, seed: int,
                now: datetime) -> DemoSummary:
    """Units of a fictitious province and ``responses`` responses over the two years before ``now``.

    Every leaf unit has its own quality, slowly drifting, so that ranks differ and move.
    """
    rng = random.Random(seed)
    units = _units(session)
    leaves = [u for u in units if u.parent is not None and u.parent.parent is not None]
    quality = {u.code: rng.uniform(0.25, 0.95) for u in leaves}
    drift = {u.code: rng.uniform(-0.2, 0.2) for u in leaves}
    # Some elements are harder to satisfy than others (feedback handling usually scores lowest).
    offsets = {q.id: {e.code: rng.uniform(-0.4, 0.3) for e in q.elements} for q in catalog}
    start = now - timedelta(days=730)
    for _ in range(responses):
        unit = rng.choice(leaves)
        q = catalog.default if rng.random() < 0.9 else rng.choice(list(catalog))
        day = (start + timedelta(days=rng.randrange(730))).date()
        # Office hours, 7:30 to 17:00 local time; never in the future.
        moment = datetime.combine(day, time(7, 30), now.tzinfo) + timedelta(minutes=rng.randrange(570))
        moment = min(moment, now)
        progress = (moment - start) / (now - start)
        submission = _submission(q, rng, min(1.0, quality[unit.code] + drift[unit.code] * progress), offsets[q.id])
        record_response(
            session, unit=unit, questionnaire=q, submission=submission,
            locale=q.default_language if rng.random() < 0.95 else q.languages[-1],
            channel=rng.choice(("link", "link", "link", "kiosk", "paper")),
            submitted_at=moment.astimezone(timezone.utc),
        )
    return DemoSummary(units=len(units), responses=responses)
