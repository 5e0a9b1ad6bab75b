"""invitations keep days, and nothing of the dossier or of who issued them

On PostgreSQL the claim of an invitation and its response share a transaction, so the
invitation's row version carries the response's transaction id (xmin): whatever the invitation
holds is as good as written on the response. The dossier's keyed hash (kept until the answer,
and in the old row version until VACUUM), who issued it (a user or an API key) and the time of
issue all go; the issue is kept as a local day (``issued_on``) and the expiry becomes the local
midnight that ends its last valid day (never earlier than before). The API's remembered
requests kept each client's Idempotency-Key as sent (a client may make it of a dossier's
reference); from now on only an HMAC of it under the API key is kept, which cannot be made of
the old rows: they are deleted (a retry of a request sent before the upgrade mints anew).

On PostgreSQL the conversion of ``issued_at`` rewrites the table after the other columns are
dropped: every row is written anew with the dropped values gone (a dropped column otherwise
stays in the rows on disk), with no dead versions, and with this migration's transaction id, so
that no existing invitation still shares a transaction id with its response. What was erased
cannot be restored by the downgrade (copies in WAL archives and older backups remain until
those are rotated out).

Revision ID: a3f9c1d7e5b2
Revises: e7a1c3f9b5d2
Create Date: 2026-12-02 10:00:00.000000

"""
import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

# revision identifiers, used by Alembic.
revision = 'a3f9c1d7e5b2'
down_revision = 'e7a1c3f9b5d2'
branch_labels = None
depends_on = None

idempotent_requests = sa.table('idempotent_requests', sa.column('id', sa.Integer()))
invitations = sa.table(
    'invitations',
    sa.column('id', sa.Integer()),
    sa.column('issued_at', sa.DateTime(timezone=True)),
    sa.column('issued_on', sa.Date()),
    sa.column('expires_at', sa.DateTime(timezone=True)),
)


def _local_zone() -> ZoneInfo:
    """The deployment's zone, in which its days are cut (as the app cuts them)."""
    name = current_app.config.get('TIMEZONE') if has_app_context() else None
    return ZoneInfo(name or 'Asia/Ho_Chi_Minh')


def _aware(moment: datetime) -> datetime:
    # SQLite hands times back naive (they are stored in UTC).
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _day_start(day, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(timezone.utc)


def upgrade():
    connection = op.get_bind()
    zone = _local_zone()
    postgresql = connection.dialect.name == 'postgresql'

    # The expiry moves to the local midnight that ends the day it fell on (never earlier).
    rows = connection.execute(sa.select(invitations.c.id, invitations.c.issued_at, invitations.c.expires_at)).all()
    changes = []
    for row_id, issued_at, expires_at in rows:
        last_day = (_aware(expires_at).astimezone(zone) - timedelta(microseconds=1)).date()
        changes.append({'row_id': row_id, 'expiry': _day_start(last_day + timedelta(days=1), zone),
                        'day': _aware(issued_at).astimezone(zone).date()})

    op.drop_index('ix_invitations_unit_issued', table_name='invitations')
    op.drop_index(op.f('ix_invitations_reference_hash'), table_name='invitations')
    if postgresql:
        if changes:
            connection.execute(
                invitations.update().where(invitations.c.id == sa.bindparam('row_id'))
                .values(expires_at=sa.bindparam('expiry')), changes)
        op.drop_constraint(op.f('fk_invitations_issued_by_user_id_users'), 'invitations', type_='foreignkey')
        op.drop_constraint(op.f('fk_invitations_issued_by_api_key_id_api_keys'), 'invitations', type_='foreignkey')
        for column in ('reference_hash', 'issued_by_user_id', 'issued_by_api_key_id'):
            op.drop_column('invitations', column)
        # A change of type rewrites the whole table (see above); the zone's name is checked by
        # ZoneInfo and is a plain path, so it is written into the statement as a literal.
        assert re.fullmatch(r'[A-Za-z0-9_+/-]+', zone.key)
        op.alter_column('invitations', 'issued_at', new_column_name='issued_on', type_=sa.Date(),
                        existing_type=sa.DateTime(timezone=True), existing_nullable=False,
                        postgresql_using=f"(issued_at AT TIME ZONE '{zone.key}')::date")
    else:
        with op.batch_alter_table('invitations', schema=None) as batch_op:
            batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        if changes:
            connection.execute(
                invitations.update().where(invitations.c.id == sa.bindparam('row_id'))
                .values(expires_at=sa.bindparam('expiry'), issued_on=sa.bindparam('day')), changes)
        # The batch copies the table into a new one without the dropped columns.
        with op.batch_alter_table('invitations', schema=None, recreate='always') as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_invitations_issued_by_user_id_users'), type_='foreignkey')
            batch_op.drop_constraint(batch_op.f('fk_invitations_issued_by_api_key_id_api_keys'), type_='foreignkey')
            for column in ('reference_hash', 'issued_by_user_id', 'issued_by_api_key_id', 'issued_at'):
                batch_op.drop_column(column)
            batch_op.alter_column('issued_on', existing_type=sa.Date(), nullable=False)
    op.create_index('ix_invitations_unit_issued', 'invitations', ['unit_id', 'issued_on'], unique=False)
    # TRUNCATE on PostgreSQL: a new, empty file, with no dead row versions left holding the keys.
    if postgresql:
        op.execute('TRUNCATE idempotent_requests')
    else:
        connection.execute(idempotent_requests.delete())


def downgrade():
    connection = op.get_bind()
    zone = _local_zone()
    op.drop_index('ix_invitations_unit_issued', table_name='invitations')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reference_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('issued_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('issued_by_api_key_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitations_issued_by_user_id_users'), 'users',
                                    ['issued_by_user_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_invitations_issued_by_api_key_id_api_keys'), 'api_keys',
                                    ['issued_by_api_key_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_invitations_reference_hash'), ['reference_hash'], unique=False)

    # The time of issue is gone for good: the day's start (local time) stands for it.
    rows = connection.execute(sa.select(invitations.c.id, invitations.c.issued_on)).all()
    times = [{'row_id': row_id, 'moment': _day_start(day, zone)} for row_id, day in rows]
    if times:
        connection.execute(
            invitations.update().where(invitations.c.id == sa.bindparam('row_id'))
            .values(issued_at=sa.bindparam('moment')), times)

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('issued_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_column('issued_on')
    op.create_index('ix_invitations_unit_issued', 'invitations', ['unit_id', 'issued_at'], unique=False)
