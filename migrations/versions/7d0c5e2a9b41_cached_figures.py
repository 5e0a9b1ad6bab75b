"""cached figures of the officers' pages

Revision ID: 7d0c5e2a9b41
Revises: 3c291a0d8b89
Create Date: 2026-11-25 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d0c5e2a9b41'
down_revision = '3c291a0d8b89'
branch_labels = None
depends_on = None


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


def downgrade():
    with op.batch_alter_table('cached_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cached_figures_computed_at'))

    op.drop_table('cached_figures')
