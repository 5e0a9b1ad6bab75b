"""An import on SQLite sets the per-row tally trigger aside and counts its rows at the end.

SQLite's trigger keeping ``response_tallies`` (migration 7d0c5e2a9b41) upserts once per
response: 14 us a response, a quarter of all the database's work in an import. Inside the
import's transaction the trigger is dropped, and at the end the tallies of the import's rows are
added with one statement and the trigger created again. DDL is transactional in SQLite, the
transaction holds the only write lock from the DROP on, and readers see the committed schema,
so no other connection ever meets the table without it; a rollback puts it back. A trigger of
any other text (a later migration changed it) is left alone, and then it counts row by row as
before: a migration that changes it must change TALLY_TRIGGER too, or imports get slower.
"""

from __future__ import annotations

import sqlite3

# The trigger as it is stored.
TALLY_TRIGGER = (
    "CREATE TRIGGER responses_tally_insert AFTER INSERT ON responses FOR EACH ROW BEGIN\n"
    "    INSERT INTO response_tallies (questionnaire_id, hour, changes)\n"
    "    VALUES (NEW.questionnaire_id, CAST(strftime('%s', NEW.submitted_at) AS INTEGER) / 3600, 1)\n"
    "    ON CONFLICT (questionnaire_id, hour) DO UPDATE SET changes = changes + 1;\nEND")
# The same counts for every response from an id on, as one statement.
_TALLIES_FROM = (
    "INSERT INTO response_tallies (questionnaire_id, hour, changes) "
    "SELECT questionnaire_id, CAST(strftime('%s', submitted_at) AS INTEGER) / 3600, count(*) "
    "FROM responses WHERE id >= ? GROUP BY 1, 2 "
    "ON CONFLICT (questionnaire_id, hour) DO UPDATE SET changes = changes + excluded.changes")


def set_tally_trigger_aside(connection: sqlite3.Connection) -> bool:
    """Drop the tally trigger when it is the one this module knows and a transaction is open
    (the sqlite3 module runs DDL outside one as it comes: a rollback must bring it back);
    whether it was dropped."""
    cursor = connection.cursor()
    try:
        stored = cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                "AND name = 'responses_tally_insert'").fetchone()
        if stored is None or stored[0] != TALLY_TRIGGER or not connection.in_transaction:
            return False
        cursor.execute("DROP TRIGGER responses_tally_insert")
        return True
    finally:
        cursor.close()


def restore_tally_trigger(connection: sqlite3.Connection, first_id: int) -> None:
    """Count every response from ``first_id`` on as the trigger would have, and create it again."""
    cursor = connection.cursor()
    try:
        cursor.execute(_TALLIES_FROM, (first_id,))
        cursor.execute(TALLY_TRIGGER)
    finally:
        cursor.close()
