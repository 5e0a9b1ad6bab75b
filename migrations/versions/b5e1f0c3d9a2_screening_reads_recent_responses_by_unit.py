"""screening reads recent responses by unit

Screening a new response (services/integrity.py) counts and compares the responses of its unit
in the last minutes. The index on unit_id alone made that read every response the unit ever
had; (unit_id, submitted_at) reads the window only, and serves every lookup by unit too, so it
replaces the old index. Each response stored from the web now keeps a digest of its answers,
found through (unit_id, answers_digest, submitted_at), an index of the rows that have one,
instead of comparing twenty-odd answer rows of every recent response; responses stored before
this revision have none and are not compared (the rule looks back ten minutes by default).

Plain ALTER TABLE ADD COLUMN and CREATE/DROP INDEX, no batch: on SQLite a batch operation
would rebuild ``responses`` and drop its tally triggers.

Revision ID: b5e1f0c3d9a2
Revises: a7d3c2e91f40
Create Date: 2026-11-25 19:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5e1f0c3d9a2'
down_revision = 'a7d3c2e91f40'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('responses', sa.Column('answers_digest', sa.String(length=32), nullable=True))
    op.create_index('ix_responses_unit_submitted', 'responses', ['unit_id', 'submitted_at'], unique=False)
    # Partial: imported responses have no digest, and a large import should not pay for it.
    op.create_index('ix_responses_unit_digest', 'responses', ['unit_id', 'answers_digest', 'submitted_at'],
                    unique=False, sqlite_where=sa.text('answers_digest IS NOT NULL'),
                    postgresql_where=sa.text('answers_digest IS NOT NULL'))
    op.drop_index('ix_responses_unit_id', table_name='responses')


def downgrade():
    op.create_index('ix_responses_unit_id', 'responses', ['unit_id'], unique=False)
    op.drop_index('ix_responses_unit_digest', table_name='responses')
    op.drop_index('ix_responses_unit_submitted', table_name='responses')
    op.drop_column('responses', 'answers_digest')
