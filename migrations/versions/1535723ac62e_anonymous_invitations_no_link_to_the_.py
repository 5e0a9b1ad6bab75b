"""anonymous invitations: no link to the response, the day answered

An answered invitation kept the id of its response and the time it was answered (the
response's own submission time): with the dossier's keyed hash beside them, anyone holding the
database and the secret key could read what a named citizen answered. Now an invitation records
only that it was answered, and the local day; an answered invitation also forgets its dossier.
The links removed here cannot be restored by the downgrade.

Revision ID: 1535723ac62e
Revises: 39c5daeeb621
Create Date: 2026-11-25 13:56:18.397275

"""
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

# revision identifiers, used by Alembic.
revision = '1535723ac62e'
down_revision = '39c5daeeb621'
branch_labels = None
depends_on = None

invitations = sa.table(
    'invitations',
    sa.column('id', sa.Integer()),
    sa.column('answered_at', sa.DateTime(timezone=True)),
    sa.column('answered_on', sa.Date()),
    sa.column('reference_hash', sa.String(64)),
)


def _local_zone() -> ZoneInfo:
    """The deployment's zone, in which its days are cut (as the app cuts periods)."""
    name = current_app.config.get('TIMEZONE') if has_app_context() else None
    return ZoneInfo(name or 'Asia/Ho_Chi_Minh')


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_on', sa.Date(), nullable=True))

    # The local day of each answer; SQLite hands times back naive (they are stored in UTC).
    connection = op.get_bind()
    zone = _local_zone()
    rows = connection.execute(sa.select(invitations.c.id, invitations.c.answered_at)
                              .where(invitations.c.answered_at.is_not(None))).all()
    days = []
    for row_id, answered_at in rows:
        if answered_at.tzinfo is None:
            answered_at = answered_at.replace(tzinfo=timezone.utc)
        days.append({'row_id': row_id, 'day': answered_at.astimezone(zone).date()})
    if days:
        connection.execute(
            invitations.update().where(invitations.c.id == sa.bindparam('row_id'))
            .values(answered_on=sa.bindparam('day'), reference_hash=None),
            days,
        )

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_invitations_response_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_invitations_response_id_responses'), type_='foreignkey')
        batch_op.drop_column('response_id')
        batch_op.drop_column('answered_at')


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('response_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitations_response_id_responses'), 'responses', ['response_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_invitations_response_id'), ['response_id'])

    # Which response answered is gone for good; the day's start (local time) stands for the time.
    connection = op.get_bind()
    zone = _local_zone()
    rows = connection.execute(sa.select(invitations.c.id, invitations.c.answered_on)
                              .where(invitations.c.answered_on.is_not(None))).all()
    times = [{'row_id': row_id, 'moment': datetime.combine(day, time(), zone).astimezone(timezone.utc)}
             for row_id, day in rows]
    if times:
        connection.execute(
            invitations.update().where(invitations.c.id == sa.bindparam('row_id'))
            .values(answered_at=sa.bindparam('moment')),
            times,
        )

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('answered_on')
