"""Reading CSV files the way spreadsheet users write them."""

from __future__ import annotations

import csv
import io
from typing import Iterable

# A cell starting with one of these is run as a formula by Excel and LibreOffice
# (CSV injection); exports prefix such cells with an apostrophe.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class CsvError(Exception):
    """A CSV file cannot be used; ``problems`` lists every reason, with line numbers."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_records(data: bytes, expected: Iterable[str] | None = None,
                 required: Iterable[str] = ()) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Decode a UTF-8 CSV (with or without BOM); return its header and (line, record) pairs.

    With ``expected``, a column outside it is an error; every ``required`` column must be there.
    Line numbers are those a spreadsheet shows: the header is line 1.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError([f"the file is not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8'"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        raise CsvError(["the file is empty"]) from None
    except csv.Error as exc:
        raise CsvError([f"line 1: {exc}"]) from None
    problems = []
    seen: set[str] = set()
    allowed = None if expected is None else set(expected)  # read once: it may be a generator
    for column in header:
        if column in seen:
            problems.append(f"line 1: column '{column}' appears twice")
        seen.add(column)
        if allowed is not None and column not in allowed:
            problems.append(f"line 1: unknown column '{column}'")
    for column in required:
        if column not in seen:
            problems.append(f"line 1: missing column '{column}'")
    if problems:
        raise CsvError(problems)

    records = []
    line = 1
    try:
        # A row's number, not reader.line_num: a quoted cell may span several lines of text
        # but is one row in a spreadsheet.
        for line, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue  # spreadsheets like to leave empty lines at the end
            if len(values) != len(header):
                problems.append(f"line {line}: {len(values)} cells, but the header has {len(header)}")
                continue
            records.append((line, dict(zip(header, values))))
    except csv.Error as exc:
        problems.append(f"line {line + 1}: {exc}")
    if problems:
        raise CsvError(problems)
    return header, records


def neutralise(cell: str) -> str:
    """Make a cell safe to open in a spreadsheet: it must never run as a formula.

    A cell that already looks neutralised ("'=...", "''=...") gets one more apostrophe, so that the
    import, which removes one, gives back exactly what was written.
    """
    if cell.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell
