"""outbox messages and daily slots

Every outgoing e-mail and SMS is a row of outbox_messages, written with the change that causes
it and sent by the background sender (services/outbox.py); its content and recipient are kept
encrypted until it is finished, then erased. outbox_daily_slots holds one row per contact
fingerprint and local day a limited message went to it (one SMS a day per number).

Revision ID: f2a51e4870ab
Revises: b5e1f0c3d9a2
Create Date: 2026-12-07 20:10:09.976252

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2a51e4870ab'
down_revision = 'b5e1f0c3d9a2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_daily_slots',
    sa.Column('recipient_hash', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('recipient_hash', 'day', name=op.f('pk_outbox_daily_slots'))
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('about', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('recipient_hint', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('recipient_hash', sa.String(length=64), nullable=True),
    sa.Column('once_per_day', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('when_limited', sa.String(length=8), server_default='wait', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_outbox_messages_channel_known')),
    sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed', 'dropped', 'cancelled')", name=op.f('ck_outbox_messages_state_known')),
    sa.CheckConstraint("when_limited IN ('wait', 'drop')", name=op.f('ck_outbox_messages_when_limited_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_about'), ['about'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_outbox_messages_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_state_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_created_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_about'))

    op.drop_table('outbox_messages')
    op.drop_table('outbox_daily_slots')
