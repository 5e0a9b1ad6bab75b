"""Flagging responses that look made up, and officers' reviews of them.

``screen_response`` runs on every response stored from the web (open link, kiosk, invitation),
in the transaction that stores it: the rules of ``domain/integrity.py`` compare it with the
recent responses of the same place. Imports and paper forms are not screened: they carry the
times they were given, not the times they reached us.

Concurrent submissions each see only what was committed before them; a burst posted all at
once is still caught, because every later member of it sees the earlier ones and flags them
with itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from survey_app.domain.integrity import (
    IntegrityRules,
    Reason,
    answers_digest,
    burst_limit,
    reasons_of,
    reasons_text,
    repeats,
    whole_form_identical,
)
from survey_app.domain.submission import Channel, Submission
from survey_app.models import FlagReview, Response, ResponseFlag, User
from survey_app.services.counted import counted as counted
from survey_app.services.figures import cells
from survey_app.services.open_link_screening import source_burst, volume_excess
from survey_app.services.responses import submission_of
from survey_app.services.screening_memory import ScreeningMemory

RESTORE, FLAG = "restore", "flag"
DECISIONS = (RESTORE, FLAG)
MAX_REASON_LENGTH = 1000


class ReviewError(ValueError):
    pass


def screen_response(session: Session, response: Response, *, criteria: list[str],
                    seconds_taken: float | None, rules: IntegrityRules, now: datetime,
                    submission: Submission | None = None, source: str | None = None,
                    memory: ScreeningMemory | None = None, tz: tzinfo | None = None) -> set[Reason]:
    """Flag ``response`` (just stored and flushed) and the recent responses of its place that
    look made up with it; returns why ``response`` is flagged (empty: it is not). Flushes.
    ``submission`` is what ``response`` holds, when the caller has it at hand (else it is read
    back from the database).

    The rules are those of ``domain/integrity.py``; the database counts and narrows the
    recent responses, so that a new response costs a few indexed queries however many came
    just before it (a burst or a flood is exactly when many did): the burst is counted, not
    loaded, and the identical copies are read up to the repetition limit only.
    A response an officer has restored stays restored: their decision is not undone by a rule.

    An open link's response screened with ``memory`` (and ``tz``) also meets the rules of
    ``services/open_link_screening.py``: its burst is counted per ``source`` (a keyed hash of the
    client's address; without one, over the whole unit as before), and its unit's volume is judged.
    """
    submission = submission or submission_of(response)
    ratings = submission.ratings
    digest = response.answers_digest or answers_digest(ratings, submission.expectations, submission.profile,
                                                       submission.comment)
    burst_count, burst_members, latest_same, same_not_flagged = _place_queries(response.kiosk_id is not None)
    at = response.submitted_at
    params = {
        "unit_id": response.unit_id, "channel": response.channel, "questionnaire_id": response.questionnaire_id,
        "kiosk_id": response.kiosk_id, "response_id": response.id, "at": at,
        "burst_from": at - timedelta(seconds=rules.burst_seconds),
        "repeat_from": at - timedelta(seconds=rules.repeat_seconds), "reason": Reason.BURST.value,
        "digest": digest, "repeat_reason": Reason.REPEATED.value,
    }
    verdict: dict[int, set[Reason]] = {}

    def flag(response_ids: Iterable[int], reason: Reason) -> None:
        for response_id in response_ids:
            verdict.setdefault(response_id, set()).add(reason)

    limit = burst_limit(rules, response.channel)
    on_open_link = response.channel == Channel.LINK and memory is not None and tz is not None
    if on_open_link and source is not None:
        assert memory is not None
        flag(source_burst(session, memory, response=response, source=source, rules=rules), Reason.BURST)
    elif limit is not None and session.scalar(burst_count, {**params, "burst_limit": limit}) + 1 > limit:
        # The members flagged for the burst already would not change.
        flag([response.id, *session.scalars(burst_members, params)], Reason.BURST)
    if on_open_link:
        assert memory is not None and tz is not None
        flag(volume_excess(session, memory, response=response, source=source, rules=rules, tz=tz), Reason.VOLUME)
    if whole_form_identical(ratings, criteria) and seconds_taken is not None and seconds_taken < rules.fast_seconds:
        flag([response.id], Reason.FAST_IDENTICAL)
    # The repetition rule reads at most ``repeat_count`` copies (the latest, with their flags)
    # however long the flood: whether the limit is crossed is all it asks. The earlier copies
    # are flagged once, when the limit is first crossed; afterwards the latest copies are
    # flagged already, and so are those before them (flagged with them), so only the new one is.
    latest = session.execute(latest_same, {**params, "repeat_limit": rules.repeat_count}).all()
    if repeats(len(latest), rules):
        flagged_before = all(reasons is not None and Reason.REPEATED in reasons_of(reasons) for _, reasons in latest)
        flag([response.id, *([] if flagged_before else session.scalars(same_not_flagged, params))], Reason.REPEATED)

    if verdict:
        _write_flags(session, verdict, now, response.id)
    return verdict.get(response.id, set())


def _write_flags(session: Session, verdict: dict[int, set[Reason]], now: datetime, new_id: int) -> None:
    """Flag each response of ``verdict`` with its reasons, adding them to a flag it has already
    (the new response ``new_id``, just stored, has none).

    Two submissions of one burst, screened at the same moment, both flag the earlier members
    of it: the insert yields to a flag the other has just written (ON CONFLICT DO NOTHING,
    which waits for that one to commit), and the reasons are then added to it.
    """
    earlier = [response_id for response_id in verdict if response_id != new_id]
    flags = {f.response_id: f for f in session.scalars(
        select(ResponseFlag).where(ResponseFlag.response_id.in_(earlier)))} if earlier else {}
    missing = [response_id for response_id in verdict if response_id not in flags]
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # Parameters given apart (executemany), not in .values(): one statement compiled once for
    # any number of rows.
    written = set(session.scalars(
        insert(ResponseFlag).on_conflict_do_nothing(index_elements=["response_id"]).returning(ResponseFlag.response_id),
        [{"response_id": response_id, "reasons": reasons_text(verdict[response_id]), "flagged_at": now,
          "restored": False} for response_id in missing])) if missing else set()
    # Left out from now on: taken out of the sums in the same transaction (a flag written by
    # a concurrent screening, yielded to below, is taken out by that one).
    cells.responses_changed(session, written, -1)
    if yielded := [response_id for response_id in missing if response_id not in written]:
        flags |= {f.response_id: f for f in session.scalars(select(ResponseFlag).where(
            ResponseFlag.response_id.in_(yielded)).execution_options(populate_existing=True))}
    for response_id, flag_row in flags.items():
        merged = reasons_text({*flag_row.reasons.split(","), *verdict[response_id]})
        if merged != flag_row.reasons:
            flag_row.reasons = merged
    session.flush()


@lru_cache(maxsize=4)
def _place_queries(on_kiosk: bool) -> tuple[Select, Select, Select, Select]:
    """For the place of a new response (its values given as parameters): how many responses
    came in the burst window before it (up to the limit); those of them not flagged for a
    reason yet; the latest of its recent ones whose answers have the new one's digest (up to the
    repetition limit) with their flags' reasons; and those of them not flagged for a repetition
    yet. All read the window through the indexes that start with unit_id. Built once per shape."""
    place = [Response.unit_id == bindparam("unit_id"), Response.channel == bindparam("channel"),
             Response.questionnaire_id == bindparam("questionnaire_id"),
             Response.id != bindparam("response_id"), Response.submitted_at <= bindparam("at")]
    if on_kiosk:
        place.append(Response.kiosk_id == bindparam("kiosk_id"))
    burst = [*place, Response.submitted_at >= bindparam("burst_from")]
    # Counted up to the limit only: whether the limit is reached is all the rule asks, and a
    # place under a flood has thousands of responses in the window.
    burst_count = select(func.count()).select_from(
        select(Response.id).where(*burst).limit(bindparam("burst_limit")).subquery())
    not_flagged_for = or_(ResponseFlag.response_id.is_(None), not_(ResponseFlag.reasons.contains(bindparam("reason"))))
    burst_members = (select(Response.id).outerjoin(ResponseFlag, ResponseFlag.response_id == Response.id)
                     .where(*burst, not_flagged_for))
    # The place's responses with the same answers within the repeat window, read through
    # (unit_id, answers_digest, submitted_at): the latest ones up to the limit with their flags,
    # and (when the limit is first crossed) those not flagged for a repetition yet.
    # The questionnaire compared as ``questionnaire_id || ''``, which no index serves: else SQLite's
    # planner (with no ANALYZE statistics) took the questionnaire's index and read every unit's
    # recent responses.
    same = [Response.unit_id == bindparam("unit_id"), Response.answers_digest == bindparam("digest"),
            Response.submitted_at >= bindparam("repeat_from"), Response.submitted_at <= bindparam("at"),
            Response.id != bindparam("response_id"), Response.channel == bindparam("channel"),
            Response.questionnaire_id.concat("") == bindparam("questionnaire_id")]
    if on_kiosk:
        same.append(Response.kiosk_id == bindparam("kiosk_id"))
    latest_same = (select(Response.id, ResponseFlag.reasons)
                   .outerjoin(ResponseFlag, ResponseFlag.response_id == Response.id).where(*same)
                   .order_by(Response.submitted_at.desc(), Response.id.desc()).limit(bindparam("repeat_limit")))
    not_flagged_for_repeat = or_(ResponseFlag.response_id.is_(None),
                                 not_(ResponseFlag.reasons.contains(bindparam("repeat_reason"))))
    same_not_flagged = (select(Response.id).outerjoin(ResponseFlag, ResponseFlag.response_id == Response.id)
                        .where(*same, not_flagged_for_repeat))
    return burst_count, burst_members, latest_same, same_not_flagged


def flagged_per_unit(session: Session, questionnaire_id: str, start: datetime, end: datetime) -> dict[int, int]:
    """unit id -> responses of the period left out as suspect (flagged and not restored)."""
    rows = session.execute(
        select(Response.unit_id, func.count())
        .join(ResponseFlag, and_(ResponseFlag.response_id == Response.id, ResponseFlag.restored.is_(False)))
        .where(Response.questionnaire_id == questionnaire_id,
               Response.submitted_at >= start, Response.submitted_at < end)
        .group_by(Response.unit_id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class FlaggedRow:
    response_id: int
    unit_code: str
    unit_name: str
    channel: str
    submitted_at: datetime
    flagged_at: datetime
    reasons: list[Reason]
    restored: bool
    ratings: dict[str, int]
    reviews: list[FlagReview]


def _flags_of_period(unit_ids: set[int], questionnaire_id: str, start: datetime, end: datetime) -> list:
    return [Response.unit_id.in_(unit_ids), Response.questionnaire_id == questionnaire_id,
            Response.submitted_at >= start, Response.submitted_at < end,
            # Flags are few, a period's responses many: without this SQLite walked every
            # response of the period looking for a flag (1.1 s a quarter at a million a year).
            Response.id.in_(select(ResponseFlag.response_id))]


def flag_counts(session: Session, unit_ids: set[int], questionnaire_id: str, start: datetime,
                end: datetime) -> tuple[int, int]:
    """(flagged responses, restored ones too; those of them left out of the indices) of these
    units in the period."""
    total, left_out = session.execute(
        select(func.count(), func.count().filter(ResponseFlag.restored.is_(False)))
        .select_from(ResponseFlag).join(ResponseFlag.response)
        .where(*_flags_of_period(unit_ids, questionnaire_id, start, end))).one()
    return total, left_out


def flagged_responses(session: Session, unit_ids: set[int], questionnaire_id: str, start: datetime,
                      end: datetime, *, offset: int = 0, limit: int | None = None) -> list[FlaggedRow]:
    """The flagged responses (restored ones too) of these units in the period, newest first:
    ``limit`` of them from ``offset`` (a flood leaves thousands: a page holds a few)."""
    flags = session.scalars(
        select(ResponseFlag).join(ResponseFlag.response)
        .where(*_flags_of_period(unit_ids, questionnaire_id, start, end))
        .order_by(Response.submitted_at.desc(), Response.id.desc()).offset(offset).limit(limit)
        .options(selectinload(ResponseFlag.response).selectinload(Response.answers),
                 selectinload(ResponseFlag.response).selectinload(Response.unit),
                 selectinload(ResponseFlag.reviews).selectinload(FlagReview.user))
    ).all()
    return [FlaggedRow(
        response_id=f.response_id, unit_code=f.response.unit.code, unit_name=f.response.unit.name,
        channel=f.response.channel, submitted_at=f.response.submitted_at, flagged_at=f.flagged_at,
        reasons=reasons_of(f.reasons), restored=f.restored,
        ratings={a.item_code: a.value for a in f.response.answers}, reviews=list(f.reviews),
    ) for f in flags]


def flag_of(session: Session, response_id: int) -> ResponseFlag | None:
    return session.get(ResponseFlag, response_id)


def review(session: Session, flag: ResponseFlag, *, decision: str, reason: str, user: User,
           now: datetime) -> FlagReview:
    """Record an officer's decision: ``restore`` (the response counts again) or ``flag`` (left
    out again). A reason is required; the scope is the caller's to check. Flushes."""
    reason = (reason or "").strip()
    if decision not in DECISIONS:
        raise ReviewError(f"decision: one of {', '.join(DECISIONS)}")
    if not reason:
        raise ReviewError("reason: required")
    if flag.restored == (decision == RESTORE):
        # Already so (another officer decided first, or the page was stale): no decision to record.
        raise ReviewError(f"decision: the response is already {'restored' if flag.restored else 'flagged'}")
    if len(reason) > MAX_REASON_LENGTH:
        raise ReviewError(f"reason: at most {MAX_REASON_LENGTH} characters")
    record = FlagReview(response_id=flag.response_id, decision=decision, reason=reason, user_id=user.id,
                        decided_at=now)
    flag.restored = decision == RESTORE
    session.add(record)
    session.flush()
    cells.responses_changed(session, [flag.response_id], 1 if flag.restored else -1)
    return record

