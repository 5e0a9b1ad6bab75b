"""Adding many responses at once: an import of a million rows in chunks, inside the caller's
transaction, with a few statements per chunk instead of one per row.

SQLite gets SQLAlchemy Core executemany; PostgreSQL gets COPY (psycopg 3), several times
faster than even multi-row INSERTs for the twenty-odd answer rows of each response. Either way
the responses get ids chosen here (from the sequence on PostgreSQL, after the first one on
SQLite), so that their answers are written without reading anything back.
"""

from __future__ import annotations

import queue
import threading
from typing import Self

from sqlalchemy import Connection, insert, text
from sqlalchemy.orm import Session

from survey_app.domain.interchange import ResponseRecord
from survey_app.domain.submission import EXPECTATIONS
from survey_app.models import Answer, Choice, Response

RESPONSE_COLUMNS = ("id", "unit_id", "questionnaire_id", "questionnaire_version", "questionnaire_hash",
                    "locale", "channel", "submitted_at", "comment")
ANSWER_COLUMNS = ("response_id", "item_code", "value")
CHOICE_COLUMNS = ("response_id", "question_code", "option_code")


class BulkResponses:
    """Collects responses with ``add`` and writes them a chunk at a time; ``finish`` writes the
    rest. Flushes the session first, never commits: the caller's rollback takes everything back.

    The chunks are written by a thread of its own while the caller reads the next rows: the
    database works (PostgreSQL in its own process, SQLite with the GIL released) while Python
    parses. Use it in a ``with`` block: leaving it waits for the writer, so that the session is
    never used by two threads at once, whatever the caller does next (a rollback above all).
    """

    def __init__(self, session: Session, unit_ids: dict[str, int], *, chunk: int = 5000):
        session.flush()
        self._connection = session.connection()
        self._postgresql = self._connection.dialect.name == "postgresql"
        self._unit_ids = unit_ids
        self._chunk = chunk
        self._pending: list[ResponseRecord] = []
        self._next_id: int | None = None  # SQLite: the id of the next response
        self.count = 0
        # Two chunks waiting at most: memory stays bounded when the database is the slower.
        self._chunks: queue.Queue[list[ResponseRecord] | None] = queue.Queue(maxsize=2)
        self._failure: BaseException | None = None
        self._writer = threading.Thread(target=self._write_chunks, name="bulk-responses", daemon=True)
        self._writer.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop()

    def add(self, record: ResponseRecord) -> None:
        self._pending.append(record)
        if len(self._pending) >= self._chunk:
            self._hand_over()

    def finish(self) -> int:
        """Write what is left, wait for the writer; raise what it met. Returns the count."""
        if self._pending:
            self._hand_over()
        self._stop()
        if self._failure is not None:
            raise self._failure
        return self.count

    def _hand_over(self) -> None:
        if self._failure is not None:
            self._stop()
            raise self._failure
        records, self._pending = self._pending, []
        self._chunks.put(records)

    def _stop(self) -> None:
        if self._writer.is_alive():
            self._chunks.put(None)
            self._writer.join()

    def _write_chunks(self) -> None:
        while (records := self._chunks.get()) is not None:
            if self._failure is None:
                try:
                    self._write(records)
                except BaseException as exc:  # handed to the caller's thread by finish or add
                    self._failure = exc

    def _write(self, records: list[ResponseRecord]) -> None:
        responses = [(self._unit_ids[r.unit], r.questionnaire.id, r.questionnaire.version,
                      r.questionnaire.content_hash, r.locale, r.channel, r.submitted_at, r.submission.comment)
                     for r in records]
        if self._postgresql:
            # Taken from the table's own sequence: concurrent submissions never get the same ids.
            ids = list(self._connection.scalars(
                text("SELECT nextval(pg_get_serial_sequence('responses', 'id')) FROM generate_series(1, :n)"),
                {"n": len(records)}))
            _copy(self._connection, Response.__tablename__, RESPONSE_COLUMNS,
                  [(response_id, *row) for response_id, row in zip(ids, responses, strict=True)])
        else:
            ids = self._insert_sqlite(responses)
        answers, choices = [], []
        for response_id, record in zip(ids, records, strict=True):
            submission = record.submission
            answers += [(response_id, code, value) for code, value in submission.ratings.items()]
            choices += [(response_id, EXPECTATIONS, code) for code in submission.expectations]
            choices += [(response_id, code, option) for code, option in submission.profile.items()]
        if self._postgresql:
            _copy(self._connection, Answer.__tablename__, ANSWER_COLUMNS, answers)
            _copy(self._connection, Choice.__tablename__, CHOICE_COLUMNS, choices)
        else:
            # Plain tuples straight to the driver: Core's per-row parameter processing would cost
            # more than SQLite's own work, and these columns need no conversion.
            for model, rows in ((Answer, answers), (Choice, choices)):
                if rows:
                    self._connection.exec_driver_sql(self._sql(model), rows)
        self.count += len(records)

    def _insert_sqlite(self, responses: list[tuple]) -> list[int]:
        rows = [dict(zip(RESPONSE_COLUMNS[1:], row)) for row in responses]
        ids = []
        if self._next_id is None:
            # The first insert takes SQLite's write lock, held until commit, and gets the id
            # max + 1: the ids after it are this transaction's alone.
            first = self._connection.execute(insert(Response), rows.pop(0)).inserted_primary_key[0]
            ids.append(first)
            self._next_id = first + 1
        start, self._next_id = self._next_id, self._next_id + len(rows)
        ids += range(start, self._next_id)
        if rows:
            self._connection.execute(insert(Response), [
                {"id": response_id, **row} for response_id, row in zip(ids[-len(rows):], rows, strict=True)])
        return ids

    def _sql(self, model) -> str:
        return str(insert(model).compile(dialect=self._connection.dialect))


def _copy(connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    # The transaction's own psycopg connection: the rows go in with everything else or not at all.
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
