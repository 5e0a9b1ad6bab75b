"""cached figures of the officers' pages, and response tallies kept by triggers (their fingerprints)

Revision ID: 7d0c5e2a9b41
Revises: 3c291a0d8b89
Create Date: 2026-11-25 16:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d0c5e2a9b41'
down_revision = '3c291a0d8b89'
branch_labels = None
depends_on = None


# SQLite stores UTCDateTime as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC.
SQLITE_HOUR = "CAST(strftime('%s', {row}.submitted_at) AS INTEGER) / 3600"
SQLITE_BUMP = """INSERT INTO response_tallies (questionnaire_id, hour, changes)
    VALUES ({row}.questionnaire_id, {hour}, 1)
    ON CONFLICT (questionnaire_id, hour) DO UPDATE SET changes = changes + 1;"""

# PostgreSQL: once per statement, from its transition tables (a COPY of a million rows makes a
# few thousand upserts, not a million); rows in key order, so that concurrent statements lock
# the same rows in the same order and never deadlock.
POSTGRESQL_FUNCTION = """
CREATE FUNCTION response_tallies_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO response_tallies (questionnaire_id, hour, changes)
        SELECT questionnaire_id, floor(extract(epoch FROM submitted_at) / 3600)::bigint AS hour, count(*)
        FROM changed_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (questionnaire_id, hour) DO UPDATE SET changes = response_tallies.changes + excluded.changes;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO response_tallies (questionnaire_id, hour, changes)
        SELECT questionnaire_id, floor(extract(epoch FROM submitted_at) / 3600)::bigint AS hour, count(*)
        FROM previous_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (questionnaire_id, hour) DO UPDATE SET changes = response_tallies.changes + excluded.changes;
    END IF;
    RETURN NULL;
END $$;
"""
POSTGRESQL_TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS changed_rows",
    "DELETE": "REFERENCING OLD TABLE AS previous_rows",
    "UPDATE": "REFERENCING OLD TABLE AS previous_rows NEW TABLE AS changed_rows",
}


def upgrade():
    op.create_table('cached_figures',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_cached_figures'))
    )
    with op.batch_alter_table('cached_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cached_figures_computed_at'), ['computed_at'], unique=False)

    op.create_table('response_tallies',
    sa.Column('questionnaire_id', sa.String(length=32), nullable=False),
    sa.Column('hour', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('changes', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('questionnaire_id', 'hour', name=op.f('pk_response_tallies'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for event, transition in POSTGRESQL_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER responses_tally_{event.lower()} AFTER {event} ON responses {transition} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION response_tallies_bump()")
    else:
        for event, rows in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), ("UPDATE", ("OLD", "NEW"))):
            bumps = "\n    ".join(SQLITE_BUMP.format(row=row, hour=SQLITE_HOUR.format(row=row)) for row in rows)
            op.execute(f"CREATE TRIGGER responses_tally_{event.lower()} AFTER {event} ON responses "
                       f"FOR EACH ROW BEGIN\n    {bumps}\nEND")
    # Responses stored before this revision.
    hour = ("floor(extract(epoch FROM submitted_at) / 3600)::bigint" if op.get_bind().dialect.name == "postgresql"
            else SQLITE_HOUR.format(row="responses"))
    op.execute(f"INSERT INTO response_tallies (questionnaire_id, hour, changes) "
               f"SELECT questionnaire_id, {hour}, count(*) FROM responses GROUP BY 1, 2")


def downgrade():
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS responses_tally_{event}" + (
            " ON responses" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS response_tallies_bump()")
    op.drop_table('response_tallies')

    with op.batch_alter_table('cached_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cached_figures_computed_at'))

    op.drop_table('cached_figures')
