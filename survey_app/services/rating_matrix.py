"""The responses of a period read straight into the arrays scoring works on (domain.rating_blocks).

The database packs each response's ratings into a few integers (``bits`` bits per criterion,
as many criteria per BIGINT as fit in 62 bits), so that a million responses come back as a
million short rows of integers instead of twenty million answer rows turned into Python dicts;
expectations, whose shares are ratios of counts, are counted per unit there. Rows are sorted
by unit in tree order, so the responses of a unit and every unit below it are consecutive
blocks: each unit's figures are scored on the same arrays, built once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    case,
    cast,
    column,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from survey_app.domain.periods import Period
from survey_app.domain.questionnaire import Questionnaire
from survey_app.domain.rating_blocks import RatingBlocks
from survey_app.domain.submission import CHANNELS, EXPECTATIONS
from survey_app.models import Answer, Choice, Response, Unit
from survey_app.services.counted import counted

PACK_BITS = 62      # of a signed 64-bit integer, leaving the sign bit (and one spare) alone
FIRST_BITS = 4      # per rating: scales up to 15 levels; a larger value stored makes us read again, wider
FETCH_ROWS = 50_000  # rows turned into arrays at a time, so Python never holds them all


@dataclass(frozen=True)
class PeriodMatrix:
    """Every counted response of a period, one row each, sorted by unit in tree order then id;
    block i of ``blocks`` holds the responses of unit ``units[i]``."""

    unit_ids: np.ndarray
    channels: np.ndarray       # index into domain.submission.CHANNELS; -1 for any other value
    units: list[Unit]          # in tree order
    blocks: RatingBlocks
    spans: dict[int, tuple[int, int]]  # unit id -> its blocks and those of every unit below it
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # response id per row
    where: tuple = ()          # the conditions on Response that chose the rows

    def subtree_rows(self, unit_id: int) -> slice:
        first, last = self.spans[unit_id]
        return slice(int(self.blocks.bounds[first]), int(self.blocks.bounds[last]))


def tree_order(units: list[Unit]) -> list[Unit]:
    """Parents before children, siblings by code; a unit whose parent is not listed (the top
    of a ``--unit`` subtree) starts the order like a root."""
    ids = {unit.id for unit in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in sorted(units, key=lambda u: u.code):
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    ordered: list[Unit] = []
    stack = list(reversed(children.get(None, [])))
    while stack:  # depth first without recursion: a deep tree must not hit Python's limit
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.id, [])))
    return ordered


def period_matrix(session: Session, questionnaire: Questionnaire, period: Period, tz: ZoneInfo,
                  units: list[Unit]) -> PeriodMatrix:
    """The period's counted responses (services.counted) to ``questionnaire``; ``units`` must
    be every unit, so that each response's unit is among them."""
    return _period_matrix(session, questionnaire, *period.utc_bounds(tz), units)


def _period_matrix(session: Session, questionnaire: Questionnaire, start, end, units: list[Unit],
                   only_listed: bool = False) -> PeriodMatrix:
    """``only_listed``: the responses of ``units`` only (else they must be every unit)."""
    where = (Response.questionnaire_id == questionnaire.id, Response.submitted_at >= start,
             Response.submitted_at < end, counted())
    if only_listed:
        where = (*where, Response.unit_id.in_(sorted(u.id for u in units)))
    plan = questionnaire.scoring_plan()
    bits = FIRST_BITS
    while True:
        ids, unit_ids, channels, highest, packs = _read(session, _ratings_query(session, plan.criteria, bits, where),
                                                        len(plan.criteria), bits)
        if highest < 1 << bits:
            break
        bits = int(highest).bit_length()
    values = _unpack(packs, len(plan.criteria), bits)

    order_of_units = tree_order(units)
    position = {unit.id: i for i, unit in enumerate(order_of_units)}
    lookup = np.zeros(max(position, default=0) + 1, dtype=np.int64)
    lookup[list(position)] = list(position.values())
    row_position = lookup[unit_ids]
    order = np.lexsort((ids, row_position))
    bounds = np.concatenate(([0], np.cumsum(np.bincount(row_position, minlength=len(units)))))
    answered, chosen = _expectations(session, plan.expectation_options, where, position)
    # In depth-first order a unit's subtree is the unit and the ``size - 1`` units right after
    # it; children come after their parent, so going backwards sizes each child before its parent.
    size = {unit.id: 1 for unit in order_of_units}
    for unit in reversed(order_of_units):
        if unit.parent_id in size:
            size[unit.parent_id] += size[unit.id]
    return PeriodMatrix(
        unit_ids=unit_ids[order], channels=channels[order], units=order_of_units,
        blocks=RatingBlocks(plan, values[order], bounds, answered, chosen),
        spans={unit_id: (i, i + size[unit_id]) for unit_id, i in position.items()},
        ids=ids[order], where=where,
    )


def _ratings_query(session: Session, criteria: tuple[str, ...], bits: int, where: tuple) -> Select:
    return _ratings_select(session.get_bind().dialect.name, criteria, bits).where(*where)


@functools.lru_cache(maxsize=64)
def _ratings_select(dialect: str, criteria: tuple[str, ...], bits: int) -> Select:
    """The packed reading of ``criteria`` without its conditions: built once per process (a
    statement of a few hundred parts takes a hundredth of a second to build; it is immutable)."""
    per_pack = PACK_BITS // bits
    value = cast(Answer.value, BigInteger)
    channel = case({name: i for i, name in enumerate(CHANNELS)}, value=Response.channel, else_=-1)
    query = select(Response.id, Response.unit_id, channel, func.coalesce(func.max(Answer.value), 0))
    if dialect == "postgresql":
        # bit_or: PostgreSQL's SUM of BIGINT is NUMERIC, several times slower.
        # A hash join with a small table of (criterion, pack, shift) costs PostgreSQL half what
        # a CASE of every criterion does per answer; SQLite does the opposite.
        # unnest() of three arrays rather than a VALUES list: SQLAlchemy caches the compiled
        # statement of the one and compiles the other anew at every read (a hundredth of a second).
        shifts = func.unnest(
            postgresql.array(criteria, type_=String),
            postgresql.array([k // per_pack for k in range(len(criteria))], type_=Integer),
            postgresql.array([bits * (k % per_pack) for k in range(len(criteria))], type_=Integer),
        ).table_valued(column("code", String), column("pack", Integer), column("shift", Integer)).render_derived(name="shifts")
        packs = [func.coalesce(func.bit_or(value.op("<<")(shifts.c.shift)).filter(shifts.c.pack == i), 0)
                 for i in range(-(-len(criteria) // per_pack))]
        query = query.add_columns(*packs).select_from(Response).outerjoin(
            Answer, Answer.response_id == Response.id).outerjoin(shifts, shifts.c.code == Answer.item_code)
    else:
        packs = [
            # Every term sets bits no other term of the response sets: the sum is their OR.
            func.sum(case({code: value.op("<<")(literal(bits * k, Integer)) for k, code in
                           enumerate(criteria[first:first + per_pack])}, value=Answer.item_code, else_=0))
            for first in range(0, len(criteria), per_pack)
        ]
        query = query.add_columns(*packs).outerjoin(Answer, Answer.response_id == Response.id)
        # Grouped by an expression, not the rowid itself: grouped by the rowid, SQLite scans every
        # response in rowid order (no sort needed) rather than reading the period's through
        # ix_responses_questionnaire_submitted: seven hours of 300,000 a year took 0.11 s
        # instead of 0.005 s. A whole year read through the index and sorted costs 1.5x the scan.
        return query.group_by(Response.id + 0)
    return query.group_by(Response.id)


def _chunks(session: Session, query: Select):
    """The rows of an all-integer query as int64 arrays, FETCH_ROWS at a time."""
    # Not a server-side cursor (yield_per): PostgreSQL plans those without parallel workers.
    # psycopg keeps the whole result in libpq's compact buffers; Python objects are made a
    # chunk at a time.
    for rows in session.connection().execute(query).partitions(FETCH_ROWS):
        # Plain tuples: numpy probes each Row for array interfaces first, at ten times the cost.
        yield np.array(list(map(tuple, rows)), dtype=np.int64).reshape(len(rows), -1)


def _read(session: Session, query: Select, n_criteria: int, bits: int):
    width = 4 + -(-n_criteria // (PACK_BITS // bits))
    table = np.concatenate([np.zeros((0, width), dtype=np.int64), *_chunks(session, query)])
    highest = int(table[:, 3].max()) if len(table) else 0
    return table[:, 0], table[:, 1], table[:, 2], highest, table[:, 4:]


def _unpack(packs: np.ndarray, n_criteria: int, bits: int) -> np.ndarray:
    per_pack = PACK_BITS // bits
    values = np.empty((len(packs), n_criteria), dtype=np.uint8 if bits <= 8 else np.int64)
    mask = (1 << bits) - 1
    for j in range(n_criteria):
        values[:, j] = (packs[:, j // per_pack] >> (bits * (j % per_pack))) & mask
    return values


def _expectations(session: Session, options: tuple[str, ...], where: tuple,
                  position: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(answered, chosen) per unit, in tree order: responses that ticked any expectation (even
    one no longer offered: they answered the question), and those that ticked each option.
    Shares are ratios of counts, so counting per unit in the database loses nothing."""
    answered = np.zeros(len(position), dtype=np.int64)
    chosen = np.zeros((len(position), len(options)), dtype=np.int64)
    query = (select(Response.unit_id, func.count(func.distinct(Choice.response_id)),
                    *(func.count().filter(Choice.option_code == option) for option in options))
             .join(Response, Response.id == Choice.response_id)
             .where(Choice.question_code == EXPECTATIONS, *where).group_by(Response.unit_id))
    for unit_id, responses, *per_option in session.execute(query):
        answered[position[unit_id]] = responses
        chosen[position[unit_id]] = per_option
    return answered, chosen
