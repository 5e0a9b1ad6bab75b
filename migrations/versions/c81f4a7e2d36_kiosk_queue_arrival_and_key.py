"""kiosk queue: arrival time apart, and one answer per kiosk and submission key

Kiosks keep answers in a queue on the device while the network is down and send them later
(services/kiosk_queue.py). Such a response keeps the time it was given in ``submitted_at`` and
the time it reached the server in ``received_at``. A unique index on (kiosk_id, submission_key),
of the kiosks' responses only, is what stores each queued answer at most once.

Plain ALTER TABLE ADD COLUMN and CREATE INDEX, no batch: on SQLite a batch operation would
rebuild ``responses`` and drop its tally triggers.

Revision ID: c81f4a7e2d36
Revises: d19a7c3e5b20
Create Date: 2026-12-07 20:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c81f4a7e2d36'
down_revision = 'd19a7c3e5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('responses', sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('uq_responses_kiosk_submission_key', 'responses', ['kiosk_id', 'submission_key'],
                    unique=True, sqlite_where=sa.text('kiosk_id IS NOT NULL'),
                    postgresql_where=sa.text('kiosk_id IS NOT NULL'))


def downgrade():
    op.drop_index('uq_responses_kiosk_submission_key', table_name='responses',
                  sqlite_where=sa.text('kiosk_id IS NOT NULL'), postgresql_where=sa.text('kiosk_id IS NOT NULL'))
    op.drop_column('responses', 'received_at')
