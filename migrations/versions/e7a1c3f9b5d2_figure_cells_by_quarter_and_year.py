"""figure cells by quarter and year as well as by month, with their criterion counts apart

Revision ID: e7a1c3f9b5d2
Revises: c81f4a7e2d36
Create Date: 2026-12-07 23:20:00.000000

Every change is now counted in its month's, its quarter's and its year's row, told apart by
``months`` (1, 3 or 12), so that a quarter or a year is read as one row per unit and channel;
and each row's valid and satisfied answers per criterion are kept apart (``counts``), what the
ranks of units outside a page's scope need. The rows are made again (the existing ones have no
counts).
The rows are made again from the responses (as ``flask figures rebuild`` does), with the
questionnaire files of the app that runs the migration; a database without responses has
nothing to make.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7a1c3f9b5d2'
down_revision = 'c81f4a7e2d36'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('figure_cells') as batch:
        batch.add_column(sa.Column('months', sa.SmallInteger(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('counts', sa.LargeBinary(), nullable=False, server_default=''))
        batch.drop_constraint('pk_figure_cells', type_='primary')
        batch.create_primary_key('pk_figure_cells', ['questionnaire_id', 'months', 'month', 'unit_id', 'channel'])
    with op.batch_alter_table('figure_cells') as batch:
        batch.alter_column('months', server_default=None)
        batch.alter_column('counts', server_default=None)
    connection = op.get_bind()
    op.execute("DELETE FROM figure_cells")
    if connection.execute(sa.text("SELECT 1 FROM responses LIMIT 1")).first() is None:
        return
    from flask import current_app
    from sqlalchemy.orm import Session

    from survey_app.services.figures.rebuild import rebuild
    with Session(bind=connection) as session:
        rebuild(session, list(current_app.extensions["survey_catalog"]))


def downgrade():
    op.execute("DELETE FROM figure_cells WHERE months <> 1")
    with op.batch_alter_table('figure_cells') as batch:
        batch.drop_constraint('pk_figure_cells', type_='primary')
        batch.create_primary_key('pk_figure_cells', ['questionnaire_id', 'month', 'unit_id', 'channel'])
        batch.drop_column('months')
        batch.drop_column('counts')
