"""Reading CSV files the way spreadsheet users write them."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

# A cell starting with one of these is run as a formula by Excel and LibreOffice
# (CSV injection); exports prefix such cells with an apostrophe.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class CsvError(Exception):
    """A CSV file cannot be used; ``problems`` lists every reason, with line numbers."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class CsvRows:
    """The rows of a UTF-8 CSV file (with or without BOM), read one at a time: a file of a
    million rows is never held in memory whole.

    The header is read and checked on opening (CsvError lists its problems): with ``expected``,
    a column outside it is an error; every ``required`` column must be there. Iterating gives
    ``(line, cells)`` for each row; a row that is not one (a wrong number of cells, broken
    quoting) is left out and named in ``problems`` instead, so the caller learns of every bad
    row in one pass. Line numbers are those a spreadsheet shows: the header is line 1.
    """

    def __init__(self, source: bytes | Path, expected: Iterable[str] | None = None,
                 required: Iterable[str] = ()):
        self.problems: list[str] = []
        self._source = source
        self._binary = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
        # newline="": the csv module reads a quoted cell's line breaks itself.
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")
        self._reader = csv.reader(self._text)
        try:
            self.header = [column.strip() for column in next(self._reader)]
        except StopIteration:
            self.close()
            raise CsvError(["the file is empty"]) from None
        except csv.Error as exc:
            self.close()
            raise CsvError([f"line 1: {exc}"]) from None
        except UnicodeDecodeError:
            self.close()
            raise self._not_utf8() from None
        problems = _header_problems(self.header, expected, required)
        if problems:
            self.close()
            raise CsvError(problems)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        line = 1
        try:
            # A row's number, not reader.line_num: a quoted cell may span several lines of text
            # but is one row in a spreadsheet.
            for line, values in enumerate(self._reader, start=2):
                # The first cell alone mostly tells that the row is not empty (and cheaply).
                if not (values and values[0] and not values[0].isspace()) and not any(
                        value.strip() for value in values):
                    continue  # spreadsheets like to leave empty lines at the end
                if len(values) != width:
                    self.problems.append(f"line {line}: {len(values)} cells, but the header has {width}")
                    continue
                yield line, values
        except csv.Error as exc:
            self.problems.append(f"line {line + 1}: {exc}")
        except UnicodeDecodeError:
            raise self._not_utf8() from None
        finally:
            self.close()

    def close(self) -> None:
        self._text.close()

    def _not_utf8(self) -> CsvError:
        return CsvError([f"the file is not UTF-8 (byte {_first_bad_byte(self._source)}); save it as 'CSV UTF-8'"])


def _header_problems(header: list[str], expected: Iterable[str] | None, required: Iterable[str]) -> list[str]:
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
    return problems


def _first_bad_byte(source: bytes | Path) -> int:
    """Where UTF-8 decoding fails, counted after any BOM (as ``bytes.decode("utf-8-sig")`` does)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with (io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")) as binary:
        offset = 3 if binary.read(3) == codecs.BOM_UTF8 else 0
        binary.seek(offset)
        fed = 0
        while True:
            block = binary.read(1 << 20)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                return fed - pending + exc.start
            if not block:
                return fed
            fed += len(block)


def read_records(data: bytes, expected: Iterable[str] | None = None,
                 required: Iterable[str] = ()) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and every (line, record) pair of a small file (see CsvRows); CsvError names
    every bad row."""
    rows = CsvRows(data, expected, required)
    records = [(line, dict(zip(rows.header, values))) for line, values in rows]
    if rows.problems:
        raise CsvError(rows.problems)
    return rows.header, records


def neutralise(cell: str) -> str:
    """Make a cell safe to open in a spreadsheet: it must never run as a formula.

    A cell that already looks neutralised ("'=...", "''=...") gets one more apostrophe, so that the
    import, which removes one, gives back exactly what was written.
    """
    if cell.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell


def restore_neutralised(cell: str) -> str:
    """Undo ``neutralise`` so that export then import gives back the citizen's own words."""
    if cell.startswith("'") and cell[1:].lstrip("'").startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell
