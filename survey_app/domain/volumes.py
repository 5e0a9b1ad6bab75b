"""Volumes of transactions (``unit,channel,period_start,period_end,count``) and their share of a period.

A volume row says how many transactions a unit handled through one response channel over a
range of days (both ends inclusive). The weighted index (domain/weighting.py) needs each
(unit, channel) cell's volume over a reporting period: rows are prorated by days.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from survey_app.domain.periods import Period
from survey_app.domain.submission import CHANNELS

VOLUME_COLUMNS = ("unit", "channel", "period_start", "period_end", "count")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNT = re.compile(r"^\d+$")
MAX_COUNT = 2**31 - 1  # the column is a 32-bit integer on every database


@dataclass(frozen=True)
class VolumeRow:
    line: int
    unit: str
    channel: str
    start: date
    end: date
    count: int

    @property
    def cell(self) -> tuple[str, str]:
        return (self.unit, self.channel)


def volume_rows(records: list[tuple[int, dict[str, str]]],
                known_units: set[str]) -> tuple[list[VolumeRow], list[str]]:
    """Turn CSV records into rows; return the rows and every problem of a row on its own
    (``overlap_problems`` checks the rows against one another and what is stored)."""
    rows: list[VolumeRow] = []
    problems: list[str] = []
    for line, record in records:
        row, row_problems = _volume_row(line, record, known_units)
        problems += row_problems
        if row is not None:
            rows.append(row)
    return rows, problems


def _volume_row(line: int, record: dict[str, str], known_units: set[str]) -> tuple[VolumeRow | None, list[str]]:
    problems: list[str] = []
    unit = (record.get("unit") or "").strip()
    channel = (record.get("channel") or "").strip()
    if unit not in known_units:
        problems.append(f"line {line}: unknown unit '{unit}'")
    if channel not in CHANNELS:
        problems.append(f"line {line}: channel '{channel}' is not one of {', '.join(CHANNELS)}")
    start = _date(line, "period_start", record, problems)
    end = _date(line, "period_end", record, problems)
    if start and end and end < start:
        problems.append(f"line {line}: period_end {end.isoformat()} is before period_start {start.isoformat()}")
    raw_count = (record.get("count") or "").strip()
    count = int(raw_count) if _COUNT.match(raw_count) else None
    if count is None or count > MAX_COUNT:
        problems.append(f"line {line}: count '{raw_count}' is not a whole number from 0 to {MAX_COUNT}")
    if problems:
        return None, problems
    return VolumeRow(line, unit, channel, start, end, count), []


def _date(line: int, column: str, record: dict[str, str], problems: list[str]) -> date | None:
    raw = (record.get(column) or "").strip()
    try:
        # The pattern first: fromisoformat also takes 20260101 and 2026-W01-1.
        if _DATE.match(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    problems.append(f"line {line}: {column} '{raw}' is not a date YYYY-MM-DD")
    return None


def overlap_problems(rows: list[VolumeRow],
                     stored: dict[tuple[str, str], list[tuple[date, date]]]) -> list[str]:
    """Rows whose days overlap another period of the same unit and channel, in the file or
    ``stored`` (cell -> periods already stored).

    Overlapping periods would count the same transactions twice. The same period again is no
    overlap: in the file it is a duplicate, and against what is stored it is a replacement.
    """
    problems = []
    seen: dict[tuple[str, str], list[VolumeRow]] = defaultdict(list)
    for row in rows:
        for other in seen[row.cell]:
            if (other.start, other.end) == (row.start, row.end):
                problems.append(f"line {row.line}: {_name(row)} is already on line {other.line}")
                break
            if other.start <= row.end and row.start <= other.end:
                problems.append(f"line {row.line}: {_name(row)} overlaps "
                                f"{other.start.isoformat()}..{other.end.isoformat()} on line {other.line}")
                break
        else:
            for start, end in stored.get(row.cell, []):
                if (start, end) != (row.start, row.end) and start <= row.end and row.start <= end:
                    problems.append(f"line {row.line}: {_name(row)} overlaps the stored volume of "
                                    f"{start.isoformat()}..{end.isoformat()}")
                    break
        seen[row.cell].append(row)
    return problems


def _name(row: VolumeRow) -> str:
    return f"{row.unit} {row.channel} {row.start.isoformat()}..{row.end.isoformat()}"


def period_volume(rows: Iterable[tuple[date, date, int]], period: Period) -> tuple[float, bool]:
    """One cell's volume over ``period`` from its rows (start, end, count), and whether the rows
    cover every day of it.

    A row that only partly overlaps the period counts in proportion of its days inside it:
    count x (days in both) / (days of the row), i.e. transactions spread evenly over the row's
    days. The rows of a cell never overlap one another (``overlap_problems``), so days in
    both add up to the period's days exactly when every day is covered.
    """
    volume = 0.0
    covered = 0
    for start, end, count in rows:
        days = (min(end, period.end) - max(start, period.start)).days + 1
        if days > 0:
            volume += count * days / ((end - start).days + 1)
            covered += days
    return volume, covered == period.days
