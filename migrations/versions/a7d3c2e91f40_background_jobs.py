"""background jobs

Slip sheets over one page and report files are made outside the request (survey_app/jobs/);
each job's state, who asked, the unit it covers and its file's name are kept here, shared by
every web worker and the job's runner.

Revision ID: a7d3c2e91f40
Revises: e4b8a1c6d2f7
Create Date: 2026-11-25 16:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d3c2e91f40'
down_revision = 'e4b8a1c6d2f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('background_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), server_default='0', nullable=False),
    sa.Column('failure', sa.String(length=16), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('arguments', sa.Text(), nullable=False),
    sa.Column('download_name', sa.String(length=255), nullable=False),
    sa.Column('file_name', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('slips', 'report_pdf', 'report_xlsx')", name=op.f('ck_background_jobs_kind_known')),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_background_jobs_state_known')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_background_jobs_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_background_jobs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_jobs')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_background_jobs_token_hash'))
    )
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_jobs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_jobs_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_jobs_user_id'))
        batch_op.drop_index(batch_op.f('ix_background_jobs_created_at'))

    op.drop_table('background_jobs')
