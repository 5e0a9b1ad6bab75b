"""idempotent API requests

An invitation-minting request sent with an Idempotency-Key is remembered for a while (per API
key), so that its retries get the same invitations; the unique key makes concurrent retries
mint once.

Revision ID: e4b8a1c6d2f7
Revises: 7d0c5e2a9b41
Create Date: 2026-11-25 16:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4b8a1c6d2f7'
down_revision = '7d0c5e2a9b41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idempotent_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('token_salt', sa.String(length=32), nullable=False),
    sa.Column('invitation_ids', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_idempotent_requests_api_key_id_api_keys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_requests')),
    sa.UniqueConstraint('api_key_id', 'idempotency_key', name=op.f('uq_idempotent_requests_api_key_id_idempotency_key'))
    )


def downgrade():
    op.drop_table('idempotent_requests')
