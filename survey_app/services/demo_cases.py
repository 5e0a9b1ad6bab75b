"""Citizens' requests for the demo province (``flask demo``): cases in every state over the last
four months, some overdue (and escalated), some reopened, answered with causes and rated, so
that /staff/cases and /reports/cases have something to show on the first run.

Contacts are made-up numbers and example.vn addresses, encrypted like any other (``seal``).
No audit events: nobody did these things.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.cases import CaseStatus, Cause, ContactKind, Resolution, case_number
from survey_app.models import Case, CaseEvent, Unit
from survey_app.services.cases import CaseRules
from survey_app.services.secrets import new_secret, secret_hash

DEMO_TEXTS = (
    "Tôi phải chờ hơn hai tiếng mới được tiếp nhận hồ sơ, không có ghế ngồi.",
    "Cán bộ yêu cầu bổ sung giấy tờ không có trong danh mục niêm yết.",
    "Hồ sơ của tôi đã quá hẹn trả kết quả mười ngày mà chưa được thông báo lý do.",
    "Lệ phí thu cao hơn mức niêm yết trên bảng thông tin.",
    "Máy lấy số thứ tự bị hỏng cả tuần nay.",
    "Hướng dẫn trên cổng dịch vụ công khác với hướng dẫn tại quầy.",
    "Cán bộ trả lời thiếu tôn trọng khi tôi hỏi lại lần thứ hai.",
    "Tôi muốn biết vì sao hồ sơ bị trả lại mà không có văn bản giải thích.",
)
DEMO_ANSWERS = {
    Cause.ATTITUDE: "Đơn vị đã nhắc nhở công chức và xin lỗi ông/bà về thái độ tiếp dân.",
    Cause.TIME: "Hồ sơ bị chậm do chờ ý kiến liên ngành; kết quả đã được trả, đơn vị xin lỗi vì sự chậm trễ.",
    Cause.PROCEDURE: "Giấy tờ bổ sung không thuộc thành phần hồ sơ; đơn vị đã chấn chỉnh việc yêu cầu thêm.",
    Cause.FEES: "Mức thu đã được kiểm tra lại; khoản chênh lệch sẽ được hoàn trả tại quầy.",
    Cause.FACILITIES: "Máy lấy số đã được sửa chữa và bổ sung thêm ghế chờ.",
    Cause.INFORMATION: "Hướng dẫn trên cổng dịch vụ công đã được cập nhật cho thống nhất với tại quầy.",
    Cause.OTHER: "Đơn vị đã tiếp nhận ý kiến và sẽ xem xét trong kỳ rà soát quy trình tới.",
}


def create_demo_cases(session: Session, *, seal: Callable[[str], str], now: datetime, rules: CaseRules,
                      seed: int, per_unit: int = 8) -> int:
    """About ``per_unit`` cases for each unit that has no units below it. Flushes."""
    rng = random.Random(seed)
    units = list(session.scalars(select(Unit).order_by(Unit.code)))
    parents = {u.parent_id for u in units}
    today = rules.today(now)
    sequence, made = 0, 0
    for unit in [u for u in units if u.id not in parents]:
        for _ in range(rng.randint(per_unit // 2, per_unit + per_unit // 2)):
            sequence += 1
            received = today - timedelta(days=rng.randint(0, 120))
            session.add(_case(rng, unit, received, sequence, today, rules, seal))
            made += 1
    session.flush()
    return made


def _moment(day, rules: CaseRules, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), rules.tz)


def _case(rng: random.Random, unit: Unit, received, sequence: int, today, rules: CaseRules, seal) -> Case:
    phone = rng.random() < 0.6
    contact = f"09{rng.randint(10000000, 99999999)}" if phone else f"nguoidan{sequence}@example.vn"
    case = Case(number=case_number(received.year, sequence), year=received.year, sequence=sequence, unit=unit,
                received_on=received, text=rng.choice(DEMO_TEXTS),
                contact_kind=str(ContactKind.PHONE if phone else ContactKind.EMAIL), contact_sealed=seal(contact),
                confirmed=True, form_key_hash=secret_hash(new_secret()), status=str(CaseStatus.NEW),
                acknowledge_by=rules.calendar.add(received, rules.acknowledge_days),
                answer_by=rules.calendar.add(received, rules.answer_days), reopened=False)
    case.events.append(CaseEvent(occurred_on=received, what="received"))
    age = (today - received).days
    # Older cases are further along; a few are left behind (overdue), most are handled in time.
    late = rng.random() < 0.15
    if age < 2 or (late and age < 25 and rng.random() < 0.5):
        return _maybe_escalated(case, today, rules, rng)
    ack_day = received if not late else rules.calendar.add(received, rules.acknowledge_days + rng.randint(1, 3))
    _step(case, "acknowledged", min(ack_day, today), rules, rng)
    case.status = str(CaseStatus.ACKNOWLEDGED)
    case.acknowledged_at = case.events[-1].occurred_at
    answer_in = rng.randint(1, rules.answer_days + (6 if late else 0))
    answer_day = rules.calendar.add(received, answer_in)
    if answer_day > today:
        return _maybe_escalated(case, today, rules, rng)
    cause = rng.choice(list(Cause))
    _step(case, "answered", answer_day, rules, rng)
    case.status, case.cause, case.answer_text = str(CaseStatus.ANSWERED), str(cause), DEMO_ANSWERS[cause]
    case.first_answered_at = case.answered_at = case.events[-1].occurred_at
    if rng.random() < 0.12 and (today - answer_day).days > 3:  # reopened, answered again
        reopen_day = answer_day + timedelta(days=rng.randint(1, 3))
        _step(case, "reopened", reopen_day, rules, rng)
        case.reopened = True
        case.reanswer_by = rules.calendar.add(reopen_day, rules.answer_days)
        second = rules.calendar.add(reopen_day, rng.randint(1, 6))
        if second > today:
            case.status = str(CaseStatus.ACKNOWLEDGED)
            return case
        _step(case, "answered", second, rules, rng)
        case.answered_at = case.events[-1].occurred_at
        answer_day = second
    if (today - answer_day).days >= 2 and rng.random() < 0.75:
        rated_day = answer_day + timedelta(days=rng.randint(0, 2))
        good = rng.random() < (0.55 if late or case.reopened else 0.8)
        case.resolution = str(Resolution.YES if good else rng.choice([Resolution.PARTLY, Resolution.NO]))
        case.rating = rng.choice([4, 5]) if good else rng.choice([1, 2, 3])
        _step(case, "rated", rated_day, rules, rng)
        _step(case, "closed", rated_day, rules, rng)
        case.status, case.closed_at = str(CaseStatus.CLOSED), case.events[-1].occurred_at
    elif (today - answer_day).days > rules.close_days:
        closed_day = answer_day + timedelta(days=rules.close_days)
        _step(case, "closed", closed_day, rules, rng)
        case.status, case.closed_at = str(CaseStatus.CLOSED), case.events[-1].occurred_at
    else:
        case.answer_token_hash = secret_hash(new_secret())  # a link the demo never sent
    return case


def _step(case: Case, what: str, day, rules: CaseRules, rng: random.Random) -> None:
    case.events.append(CaseEvent(occurred_on=day, occurred_at=_moment(day, rules, rng), what=what))


def _maybe_escalated(case: Case, today, rules: CaseRules, rng: random.Random) -> Case:
    deadline = case.acknowledge_by if case.status == CaseStatus.NEW else case.answer_due
    if today > deadline:
        day = deadline + timedelta(days=1)
        _step(case, "escalated", min(day, today), rules, rng)
        case.escalated_at = case.events[-1].occurred_at
    return case
