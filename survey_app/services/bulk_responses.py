"""Adding many responses at once: an import of a million rows in chunks, inside the caller's
transaction, with a few statements per chunk instead of one per row.

Each chunk goes to the database as a few large statements, each one call into the driver:
PostgreSQL gets COPY (psycopg 3) fed with text formatted here; SQLite gets multi-row
``INSERT ... VALUES (?, ?, ?), (?, ?, ?), ...`` of as many rows as it binds values. Large
statements matter on SQLite: the sqlite3 module lets go of the GIL only while SQLite works, so
an ``executemany`` lets go of it and takes it back once per row, and with the parser holding it
each taking back waits for Python's switch interval. Measured on a million answer rows:
``executemany`` 1.5 s alone but 12 s beside a busy parsing thread; ``json_each`` of one JSON
text 1.8 s; 10,000-row VALUES 0.7 s. Either way the responses get ids chosen here (from the
sequence on PostgreSQL, after the first one on SQLite), so that their answers are written
without reading anything back.

PostgreSQL's own cost is the most of it and stays: every answer and choice row runs the foreign
key's check (a SELECT ... FOR KEY SHARE on responses), about 4 us a row, some 60% of its time.
A set-based check would mean dropping and adding the constraints around the import, which
locks responses, answers and choices against every reader and writer (the survey included)
for the whole import and re-validates every row ever stored; an import must not stop the
service, so the check stays per row (see docs/architecture.md).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from typing import Self

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from survey_app.domain.interchange import FlatRecord
from survey_app.services.figures.cells import SumsCollector

RESPONSE_COLUMNS = ("id", "unit_id", "questionnaire_id", "questionnaire_version", "questionnaire_hash",
                    "locale", "channel", "submitted_at", "comment")
ANSWER_COLUMNS = ("response_id", "item_code", "value")
CHOICE_COLUMNS = ("response_id", "question_code", "option_code")

_SQLITE_CACHE_KIB = 65536
_SQLITE_CACHE_PAGES = 16384  # of 4 KiB

_COLUMNS = {"responses": RESPONSE_COLUMNS, "answers": ANSWER_COLUMNS, "choices": CHOICE_COLUMNS}

# COPY's text format: a backslash, tab or line break inside a value is written escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class BulkResponses:
    """Collects responses with ``add`` and writes them a chunk at a time; ``finish`` writes the
    rest. Flushes the session first, never commits: the caller's rollback takes everything back.

    The chunks are written by a thread of its own while the caller reads the next rows: the
    database works (PostgreSQL in its own process, SQLite with the GIL released) while Python
    parses. On SQLite ``add`` also lays out each row's values, in the caller's thread, which
    has time to spare, so that the writer does little but hand statements to SQLite. Use it
    in a ``with`` block: leaving it waits for the writer, so that the session is never used by
    two threads at once, whatever the caller does next (a rollback above all).
    """

    def __init__(self, session: Session, unit_ids: dict[str, int], *, chunk: int = 5000):
        session.flush()
        self._session = session
        self._connection = session.connection()
        # The sums of services/figures, collected by the caller's thread a chunk at a time
        # (on SQLite it waits for the writer most of the time anyway), written at the end.
        self._sums = SumsCollector(unit_ids)
        self._sums_pending: list[FlatRecord] = []
        self._postgresql = self._connection.dialect.name == "postgresql"
        self._unit_ids = unit_ids
        self._chunk = chunk
        self._pending: list[FlatRecord] = []  # PostgreSQL: the chunk's records
        self._pending_count = 0
        if not self._postgresql:
            # The chunk's rows of each table as one flat list of values.
            self._responses: list = []
            self._answers: list = []
            self._choices: list = []
            self._next_id: int | None = None  # the id of the next response
            self._sqlite_max_variables = self._connection.connection.driver_connection.getlimit(
                sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            # A larger page cache for the import's connection, given back afterwards: the
            # indexes of responses by unit take rows at two hundred places at once, and with
            # the default 2 MB their pages were written out and read back again and again
            # (a million responses: 43 s of SQLite's time with 2 MB, 31 s with 64 MB or 256 MB).
            # Only memory: what is written and when it is durable do not change.
            driver = self._connection.connection.driver_connection
            self._cache_size = driver.execute("PRAGMA cache_size").fetchone()[0]
            if 0 <= self._cache_size < _SQLITE_CACHE_PAGES or -_SQLITE_CACHE_KIB < self._cache_size < 0:
                driver.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
        if self._postgresql:
            # How many responses the planner thinks there are (-1: never counted).
            self._known_responses = self._connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = 'responses'::regclass").scalar()
        self.count = 0
        # Two chunks waiting at most: memory stays bounded when the database is the slower.
        self._chunks: queue.Queue[tuple | None] = queue.Queue(maxsize=2)
        self._failure: BaseException | None = None
        self._writer = threading.Thread(target=self._write_chunks, name="bulk-responses", daemon=True)
        self._writer.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop()

    def add(self, record: FlatRecord) -> None:
        self._sums_pending.append(record)
        if self._postgresql:
            self._pending.append(record)
        elif self._next_id is None:
            self._write_first_sqlite(record)
            return
        else:
            self._lay_out_sqlite(record)
        self._pending_count += 1
        if self._pending_count >= self._chunk:
            self._hand_over()

    def finish(self) -> int:
        """Write what is left, wait for the writer; raise what it met. Returns the count."""
        if self._pending_count:
            self._hand_over()
        self._stop()
        if self._failure is not None:
            raise self._failure
        self._sums.collect(self._sums_pending)
        self._sums_pending = []
        self._sums.write(self._session)
        if self._postgresql and self.count >= max(10_000, self._known_responses / 10):
            # The planner's statistics, with the import, committed with it. Until autovacuum
            # gets to them (10% new rows, as here, but maybe minutes later on a busy server) the
            # tables look as small as before: after a million rows into empty tables an export
            # read all 20 million answers for each batch of 2,000 responses (over 1 s each,
            # instead of milliseconds). About 1 s at that size: ANALYZE reads a sample.
            self._connection.exec_driver_sql("ANALYZE responses, answers, choices")
        return self.count

    def _hand_over(self) -> None:
        if self._failure is not None:
            self._stop()
            raise self._failure
        if self._postgresql:
            chunk: tuple = (self._pending,)
            self._pending = []
        else:
            chunk = (self._responses, self._answers, self._choices)
            self._responses, self._answers, self._choices = [], [], []
        self._chunks.put((self._pending_count, *chunk))
        self._pending_count = 0
        self._sums.collect(self._sums_pending)  # while the writer writes the chunk
        self._sums_pending = []

    def _stop(self) -> None:
        if self._writer.is_alive():
            self._chunks.put(None)
            self._writer.join()

    def _write_chunks(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._failure is None:
                try:
                    if self._postgresql:
                        self._write_postgresql(chunk[1])
                    else:
                        for table, values in zip(("responses", "answers", "choices"), chunk[1:], strict=True):
                            self._insert_sqlite(table, values)
                    self.count += chunk[0]
                except BaseException as exc:  # handed to the caller's thread by finish or add
                    self._failure = exc
        if self._postgresql:
            return
        try:
            self._connection.connection.driver_connection.execute(f"PRAGMA cache_size = {self._cache_size}")
        except BaseException as exc:
            if self._failure is None:
                self._failure = exc

    def _write_postgresql(self, records: list[FlatRecord]) -> None:
        unit_ids = self._unit_ids
        # Taken from the table's own sequence: concurrent submissions never get the same ids.
        ids = list(self._connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('responses', 'id')) FROM generate_series(1, %(n)s)",
            {"n": len(records)}).scalars())
        responses, answers, choices = [], [], []
        for response_id, (submitted_at, unit, q, channel, locale, ratings, chosen, comment) in zip(
                ids, records, strict=True):
            comment = "\\N" if comment is None else comment.translate(_COPY_ESCAPES)
            responses.append(f"{response_id}\t{unit_ids[unit]}\t{q.id}\t{q.version}\t{q.content_hash}\t"
                             f"{locale}\t{channel}\t{submitted_at.isoformat()}\t{comment}\n")
            # Codes, options and levels are checked against the questionnaire: nothing to escape.
            answers += [f"{response_id}\t{code}\t{value}\n" for code, value in ratings]
            choices += [f"{response_id}\t{question}\t{option}\n" for question, option in chosen]
        _copy(self._connection, "responses", RESPONSE_COLUMNS, responses)
        _copy(self._connection, "answers", ANSWER_COLUMNS, answers)
        _copy(self._connection, "choices", CHOICE_COLUMNS, choices)

    def _write_first_sqlite(self, record: FlatRecord) -> None:
        """The first response, at once in the caller's thread (the writer has nothing yet): its
        insert takes SQLite's write lock, held until commit, and gets the id max + 1, so that
        the ids after it are this transaction's alone and ``add`` can give them out."""
        self._lay_out_sqlite(record, first=True)
        response_id = self._insert_sqlite("responses", self._responses)
        self._next_id = response_id + 1
        for values in (self._answers, self._choices):
            values[0::3] = [response_id] * (len(values) // 3)
        self._insert_sqlite("answers", self._answers)
        self._insert_sqlite("choices", self._choices)
        self._responses, self._answers, self._choices = [], [], []
        self.count += 1

    def _lay_out_sqlite(self, record: FlatRecord, *, first: bool = False) -> None:
        submitted_at, unit, q, channel, locale, ratings, choices, comment = record
        if first:
            response_id = None  # SQLite's next
        else:
            response_id = self._next_id
            self._next_id = response_id + 1
        self._responses += (response_id, self._unit_ids[unit], q.id, q.version, q.content_hash, locale, channel,
                            submitted_at.replace(tzinfo=None).isoformat(" ", "microseconds"), comment)
        answers = self._answers
        for code, value in ratings:
            answers += (response_id, code, value)  # a level's digits: the column makes it an integer
        values = self._choices
        for question, option in choices:
            values += (response_id, question, option)

    def _insert_sqlite(self, table: str, values: list) -> int:
        """Insert rows given as one flat list of values; return the last rowid.

        As many rows a statement as SQLite binds values (32,766 on SQLite 3.32 and later), the
        rest in statements of 1,024, 32 and 1 rows: a few statement texts for the sqlite3
        module to keep prepared, each ready for every chunk. (One of each length met took
        700 MB at 100,000 responses: a prepared statement of 10,000 rows holds megabytes.)
        """
        columns = _COLUMNS[table]
        width = len(columns)
        cursor = self._connection.connection.driver_connection.cursor()
        try:
            start = 0
            for rows in (self._sqlite_max_variables // width, 1024, 32, 1):
                sql = None
                while len(values) - start >= rows * width:
                    if sql is None:
                        row = f"({', '.join('?' * width)})"
                        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * rows)}"
                    cursor.execute(sql, values[start:start + rows * width])
                    start += rows * width
            return cursor.lastrowid
        finally:
            cursor.close()


def _copy(connection: Connection, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    if not lines:
        return
    # The transaction's own psycopg connection: the rows go in with everything else or not at all.
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write("".join(lines))
