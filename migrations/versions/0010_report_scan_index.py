"""issue 18: the annual report's restricted scan (year's and open cases)

Revision ID: a0b1c2d3e4f5
Revises: 9a2c7e1f4b66
Create Date: 2026-12-05 14:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'a0b1c2d3e4f5'
down_revision = '9a2c7e1f4b66'
branch_labels = None
depends_on = None


SCAN_COLUMNS = ["concluded_on", "received_on", "agency_id", "applicant_type", "outcome",
                "due_on", "timely"]


def upgrade():
    op.create_index("ix_case_concluded_scan", "case_file", SCAN_COLUMNS, unique=False)
    op.create_index("ix_case_concluded_early", "case_file", ["received_on"], unique=False,
                    postgresql_where=sa.text("concluded_on < received_on"),
                    sqlite_where=sa.text("concluded_on < received_on"))
    op.create_index("ix_appeal_filed_on", "appeal", ["filed_on"], unique=False)


def downgrade():
    op.drop_index("ix_appeal_filed_on", table_name="appeal")
    op.drop_index("ix_case_concluded_early", table_name="case_file")
    op.drop_index("ix_case_concluded_scan", table_name="case_file")
