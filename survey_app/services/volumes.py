"""Volumes of transactions: imported per unit, channel and days, or issued invitations."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.domain.csv_files import CsvError, read_records
from survey_app.domain.periods import Period
from survey_app.domain.submission import Channel
from survey_app.domain.volumes import (
    VOLUME_COLUMNS,
    overlap_problems,
    period_volume,
    volume_rows,
)
from survey_app.models import Unit
from survey_app.models.volume import Volume
from survey_app.services.invitations import issued_per_unit


def import_volumes(session: Session, data: bytes) -> tuple[int, int]:
    """Store the volumes of a ``unit,channel,period_start,period_end,count`` CSV; all or nothing.

    A row for a unit, channel and period already stored replaces its count. Returns
    (added, replaced); raises CsvError listing every bad line, having changed nothing.
    """
    _, records = read_records(data, expected=VOLUME_COLUMNS, required=VOLUME_COLUMNS)
    units = {unit.code: unit.id for unit in session.scalars(select(Unit))}
    rows, problems = volume_rows(records, set(units))
    codes = {unit_id: code for code, unit_id in units.items()}
    stored: dict[tuple[str, str], dict[tuple[date, date], Volume]] = defaultdict(dict)
    for volume in session.scalars(select(Volume)):
        stored[(codes[volume.unit_id], volume.channel)][(volume.period_start, volume.period_end)] = volume
    problems += overlap_problems(rows, {cell: list(periods) for cell, periods in stored.items()})
    if problems:
        raise CsvError(sorted(problems, key=_line_number))

    added = replaced = 0
    for row in rows:
        volume = stored[row.cell].get((row.start, row.end))
        if volume is None:
            session.add(Volume(unit_id=units[row.unit], channel=row.channel,
                               period_start=row.start, period_end=row.end, count=row.count))
            added += 1
        else:
            volume.count = row.count
            replaced += 1
    session.flush()
    return added, replaced


def _line_number(problem: str) -> int:
    return int(problem.split(":")[0].removeprefix("line "))


def cell_volumes(session: Session, period: Period, tz: ZoneInfo) -> dict[tuple[int, str], float]:
    """(unit id, channel) -> volume over ``period``, for each cell whose volumes cover every day
    of it (docs/indices.md, "Weighted index").

    Imported rows are prorated by days. A unit's invitation channel without any imported row
    touching the period takes the invitations the unit issued in the period instead: an
    issued invitation is a transaction that was asked to answer.
    """
    rows: dict[tuple[int, str], list[tuple[date, date, int]]] = defaultdict(list)
    for unit_id, channel, start, end, count in session.execute(
        select(Volume.unit_id, Volume.channel, Volume.period_start, Volume.period_end, Volume.count)
        .where(Volume.period_start <= period.end, Volume.period_end >= period.start)
    ):
        rows[(unit_id, channel)].append((start, end, count))
    volumes: dict[tuple[int, str], float] = {}
    for cell, cell_rows in rows.items():
        volume, covered = period_volume(cell_rows, period)
        if covered:
            volumes[cell] = volume
    for unit_id, (issued, _) in issued_per_unit(session, period).items():
        cell = (unit_id, Channel.INVITATION.value)
        if cell not in rows and issued:
            volumes[cell] = float(issued)
    return volumes
