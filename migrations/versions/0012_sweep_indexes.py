"""issue 18: the deadline sweep's candidate queries

Revision ID: c2d3e4f5a6b7
Revises: b1c2d3e4f5a6
Create Date: 2026-12-05 14:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'c2d3e4f5a6b7'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


NOT_NULL = sa.text("fee_paid_on IS NOT NULL")
OPEN = sa.text("end_on IS NULL")


def upgrade():
    # SQLite: the sweep's status-only candidate queries read one status in rowid order
    op.create_index("ix_case_status", "case_file", ["status"], unique=False)
    # the report's fee sum (fee_paid_on BETWEEN …) is the index's only use; partial, so the
    # planner cannot pick it for the sweep's fee_paid_on IS NULL
    op.drop_index("ix_case_fee_paid", table_name="case_file")
    op.create_index("ix_case_fee_paid", "case_file", ["fee_paid_on"], unique=False,
                    postgresql_where=NOT_NULL, sqlite_where=NOT_NULL)
    # consultations past 15 working days: O(open pauses) instead of O(all pauses)
    op.create_index("ix_pause_open", "case_pause", ["start_on"], unique=False,
                    postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade():
    op.drop_index("ix_pause_open", table_name="case_pause")
    op.drop_index("ix_case_fee_paid", table_name="case_file")
    op.create_index("ix_case_fee_paid", "case_file", ["fee_paid_on"], unique=False)
    op.drop_index("ix_case_status", table_name="case_file")
