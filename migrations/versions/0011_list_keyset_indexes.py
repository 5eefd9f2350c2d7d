"""issue 18: case list without a status filter, keyset paging

Revision ID: b1c2d3e4f5a6
Revises: a0b1c2d3e4f5
Create Date: 2026-12-05 14:20:00.000000
"""
from alembic import op  # noqa: F401

revision = 'b1c2d3e4f5a6'
down_revision = 'a0b1c2d3e4f5'
branch_labels = None
depends_on = None


INDEXES = {  # the list sorted by a date without a status filter (every agency, one agency)
    "ix_case_received": ["received_on", "id"],
    "ix_case_due": ["due_on", "id", "received_on"],
    "ix_case_agency_due": ["agency_id", "due_on", "id", "received_on"],
    "ix_case_agency_submitted": ["agency_id", "submitted_at", "id"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "case_file", columns, unique=False)


def downgrade():
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="case_file")
