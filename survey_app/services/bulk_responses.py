"""Adding many responses at once: an import of a million rows in chunks, inside the caller's
transaction, with a few statements per chunk instead of one per row.

SQLite gets SQLAlchemy Core executemany; PostgreSQL gets COPY (psycopg 3), several times
faster than even multi-row INSERTs for the twenty-odd answer rows of each response. Either way
the responses get ids chosen here (from the sequence on PostgreSQL, after the first one on
SQLite), so that their answers are written without reading anything back.
"""

from __future__ import annotations

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
    rest. Flushes the session first, never commits: the caller's rollback takes everything back."""

    def __init__(self, session: Session, unit_ids: dict[str, int], *, chunk: int = 5000):
        session.flush()
        self._connection = session.connection()
        self._postgresql = self._connection.dialect.name == "postgresql"
        self._unit_ids = unit_ids
        self._chunk = chunk
        self._pending: list[ResponseRecord] = []
        self._next_id: int | None = None  # SQLite: the id of the next response
        self.count = 0

    def add(self, record: ResponseRecord) -> None:
        self._pending.append(record)
        if len(self._pending) >= self._chunk:
            self._write()

    def finish(self) -> int:
        if self._pending:
            self._write()
        return self.count

    def _write(self) -> None:
        records, self._pending = self._pending, []
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
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
