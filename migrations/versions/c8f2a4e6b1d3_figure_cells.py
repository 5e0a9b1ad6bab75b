"""additive sums of counted responses per questionnaire, UTC month, unit and channel

Revision ID: c8f2a4e6b1d3
Revises: 142959baf345
Create Date: 2026-12-07 20:30:00.000000

The rows are made from the responses already stored by the later migration e7a1c3f9b5d2
(this table's layout changed there; the code that makes them writes that layout).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c8f2a4e6b1d3'
down_revision = '142959baf345'
branch_labels = None
depends_on = None


POSTGRESQL_FUNCTION = """
CREATE FUNCTION figure_stale_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_stale (questionnaire_id, month)
    SELECT DISTINCT questionnaire_id, date_trunc('month', submitted_at AT TIME ZONE 'UTC')::date FROM previous_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
"""

# SQLite stores UTCDateTime as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, a Date as 'YYYY-MM-DD'.
SQLITE_TRIGGER = """
CREATE TRIGGER figure_stale_{name} AFTER {operation} ON responses BEGIN
    INSERT OR IGNORE INTO figure_stale (questionnaire_id, month)
    VALUES (OLD.questionnaire_id, date(OLD.submitted_at, 'start of month'));
END
"""


def upgrade():
    op.create_table(
        'figure_layouts',
        sa.Column('key', sa.String(length=16), nullable=False),
        sa.Column('spec', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_figure_layouts')),
    )
    op.create_table(
        'figure_cells',
        sa.Column('questionnaire_id', sa.String(length=32), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('layout', sa.String(length=16), nullable=False),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.Column('raters', sa.Integer(), nullable=False),
        sa.Column('sums', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_figure_cells_unit_id_units'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('questionnaire_id', 'month', 'unit_id', 'channel', name=op.f('pk_figure_cells')),
    )
    # Months whose responses were deleted or changed past the services (the app never does
    # either; a hand-typed SQL may): read from the responses until ``flask figures rebuild``.
    op.create_table(
        'figure_stale',
        sa.Column('questionnaire_id', sa.String(length=32), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('questionnaire_id', 'month', name=op.f('pk_figure_stale')),
    )
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        for operation in ('DELETE', 'UPDATE'):
            op.execute(f"CREATE TRIGGER figure_stale_{operation.lower()} AFTER {operation} ON responses "
                       "REFERENCING OLD TABLE AS previous_rows FOR EACH STATEMENT "
                       "EXECUTE FUNCTION figure_stale_mark()")
    else:
        for operation in ('DELETE', 'UPDATE'):
            op.execute(SQLITE_TRIGGER.format(operation=operation, name=operation.lower()))
    # The rows are made from the responses by e7a1c3f9b5d2 (the later layout of this table),
    # which every upgrade past this one runs.


def downgrade():
    connection = op.get_bind()
    for name in ('delete', 'update'):
        op.execute(f"DROP TRIGGER IF EXISTS figure_stale_{name}" + (" ON responses" if connection.dialect.name == 'postgresql' else ""))
    if connection.dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS figure_stale_mark()")
    op.drop_table('figure_stale')
    op.drop_table('figure_cells')
    op.drop_table('figure_layouts')
