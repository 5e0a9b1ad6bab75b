"""drop the fingerprint-checked figures cache and the response tallies (the figures engine reads sums)

Revision ID: d4e7b2c9a0f1
Revises: c8f2a4e6b1d3
Create Date: 2026-12-07 21:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4e7b2c9a0f1'
down_revision = 'c8f2a4e6b1d3'
branch_labels = None
depends_on = None


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS responses_tally_{event}" + (" ON responses" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS response_tallies_bump()")
    op.drop_table('response_tallies')
    with op.batch_alter_table('cached_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cached_figures_computed_at'))
    op.drop_table('cached_figures')


def downgrade():
    # The tables come back empty and the tallies start from the responses stored; the triggers
    # that kept them are not made again (the code that read them is gone with this revision).
    op.create_table(
        'cached_figures',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_cached_figures')),
    )
    with op.batch_alter_table('cached_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cached_figures_computed_at'), ['computed_at'], unique=False)
    op.create_table(
        'response_tallies',
        sa.Column('questionnaire_id', sa.String(length=32), nullable=False),
        sa.Column('hour', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('changes', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('questionnaire_id', 'hour', name=op.f('pk_response_tallies')),
    )
