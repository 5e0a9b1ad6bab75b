"""subscriptions: weekly alert digests and monthly or quarterly reports by e-mail

Revision ID: d19a7c3e5b20
Revises: d4e7b2c9a0f1
Create Date: 2026-12-07 21:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd19a7c3e5b20'
down_revision = 'd4e7b2c9a0f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('last_sent', sa.String(length=16), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('digest', 'report')", name=op.f('ck_subscriptions_kind_known')),
        sa.CheckConstraint("frequency IS NULL OR frequency IN ('month', 'quarter')",
                           name=op.f('ck_subscriptions_frequency_known')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_subscriptions_unit_id_units'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_subscriptions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscriptions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriptions_user_id'))
    op.drop_table('subscriptions')
