"""case list indexes: covering the list's filters for each sort (docs/performance.md)

Revision ID: 0bc274f9308d
Revises: c3d3b052c047
Create Date: 2026-11-29 23:30:00.000000

The staff case list at a million cases (issue 7): the indexes behind its sorts also hold the
columns it filters on, so a page's skipped entries and the capped count are read from the
index only. The same key columns on SQLite and PostgreSQL.

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0bc274f9308d'
down_revision = 'c3d3b052c047'
branch_labels = None
depends_on = None

# name: (columns before, columns after); None = the index did not exist
CHANGES = {
    'ix_case_agency_status_due': (['agency_id', 'status', 'due_on'],
                                  ['agency_id', 'status', 'due_on', 'id', 'received_on']),
    'ix_case_agency_received': (['agency_id', 'received_on'],
                                ['agency_id', 'received_on', 'id', 'status']),
    'ix_case_status_due': (['status', 'due_on'], ['status', 'due_on', 'id', 'received_on']),
    'ix_case_status_received': (None, ['status', 'received_on', 'id']),
    'ix_case_agency_status_received': (None, ['agency_id', 'status', 'received_on', 'id']),
}


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        for name, (before, after) in CHANGES.items():
            if before is not None:
                batch_op.drop_index(name)
            batch_op.create_index(name, after, unique=False)


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        for name, (before, after) in CHANGES.items():
            batch_op.drop_index(name)
            if before is not None:
                batch_op.create_index(name, before, unique=False)
