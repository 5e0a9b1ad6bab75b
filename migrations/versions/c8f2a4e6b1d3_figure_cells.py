"""additive sums of counted responses per questionnaire, UTC month, unit and channel

Revision ID: c8f2a4e6b1d3
Revises: b5e1f0c3d9a2
Create Date: 2026-12-07 20:30:00.000000

The rows are made from the responses already stored, with the questionnaire files of the app
that runs the migration (the same as ``flask figures rebuild``); a database without responses
(a new installation) has nothing to make.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8f2a4e6b1d3'
down_revision = 'b5e1f0c3d9a2'
branch_labels = None
depends_on = None


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
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT 1 FROM responses LIMIT 1")).first() is None:
        return
    from flask import current_app
    from sqlalchemy.orm import Session

    from survey_app.services.figures.cells import rebuild
    with Session(bind=connection) as session:
        rebuild(session, list(current_app.extensions["survey_catalog"]))


def downgrade():
    op.drop_table('figure_cells')
    op.drop_table('figure_layouts')
