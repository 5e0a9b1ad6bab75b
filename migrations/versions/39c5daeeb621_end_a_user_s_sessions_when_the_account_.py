"""end a user's sessions when the account is disabled

Revision ID: 39c5daeeb621
Revises: bb4cc99e713b
Create Date: 2026-11-25 10:14:08.857027

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '39c5daeeb621'
down_revision = 'bb4cc99e713b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')

