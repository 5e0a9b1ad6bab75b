"""volumes of transactions per unit, response channel and range of days (weighted index)

Revision ID: f66f3856a6f1
Revises: 1535723ac62e
Create Date: 2026-11-25 14:40:07.187278

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f66f3856a6f1'
down_revision = '1535723ac62e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('volumes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_volumes_count_not_negative')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_volumes_period_in_order')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_volumes_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volumes')),
    sa.UniqueConstraint('unit_id', 'channel', 'period_start', 'period_end', name=op.f('uq_volumes_unit_id_channel_period_start_period_end'))
    )


def downgrade():
    op.drop_table('volumes')
