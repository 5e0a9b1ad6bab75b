"""alert weeks: every unit's weekly figures for the early warning, kept once a week is closed

Revision ID: b3f6d0a8c2e4
Revises: b7d2e4f6a8c1
Create Date: 2026-12-08 10:00:00.000000

Written by commands only (``flask alerts keep``, ``flask alerts``, ``notifications send-due``,
``flask demo``); read by services/alerts.py while its stamp still matches the responses.
Nothing to fill here: until a command keeps a week, its alerts are computed on the fly.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3f6d0a8c2e4'
down_revision = 'b7d2e4f6a8c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'alert_weeks',
        sa.Column('questionnaire_id', sa.String(length=32), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('first', sa.Date(), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('layout', sa.String(length=16), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.Column('last_response_id', sa.Integer(), nullable=False),
        sa.Column('flags', sa.Integer(), nullable=False),
        sa.Column('flag_id_sum', sa.BigInteger(), nullable=False),
        sa.Column('figures', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('questionnaire_id', 'week', name=op.f('pk_alert_weeks')),
    )


def downgrade():
    op.drop_table('alert_weeks')
