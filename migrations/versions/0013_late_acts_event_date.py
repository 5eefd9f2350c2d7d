"""issue 18: the report reads the year only — covering early-scan index, unconfirmed
submissions, late-act flags, events by date, provisional due dates of open cases

Revision ID: d3e4f5a6b7c8
Revises: c2d3e4f5a6b7
Create Date: 2026-12-06 02:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'd3e4f5a6b7c8'
down_revision = 'c2d3e4f5a6b7'
branch_labels = None
depends_on = None

EARLY = sa.text("concluded_on < received_on")
UNCONFIRMED = sa.text("received_on IS NULL")
LATE = sa.text("late_acts <> ''")
PROVISIONAL_PG = sa.text("due_provisional IS true")
PROVISIONAL_SQLITE = sa.text("due_provisional IS 1")
SCAN_COLUMNS = ["received_on", "concluded_on", "agency_id", "applicant_type", "outcome",
                "due_on", "timely"]


def upgrade():
    # the report's early part (data errors) read from the index alone, like the main scan
    op.drop_index("ix_case_concluded_early", table_name="case_file")
    op.create_index("ix_case_concluded_early", "case_file", SCAN_COLUMNS, unique=False,
                    postgresql_where=EARLY, sqlite_where=EARLY)
    op.create_index("ix_case_unconfirmed", "case_file", ["submitted_at", "agency_id"],
                    unique=False, postgresql_where=UNCONFIRMED, sqlite_where=UNCONFIRMED)
    op.create_index("ix_case_late_acts", "case_file", ["received_on"], unique=False,
                    postgresql_where=LATE, sqlite_where=LATE)
    op.create_index("ix_case_provisional", "case_file", ["due_on", "concluded_on"], unique=False,
                    postgresql_where=PROVISIONAL_PG, sqlite_where=PROVISIONAL_SQLITE)
    op.create_index("ix_event_on_date", "event", ["on_date"], unique=False)


def downgrade():
    op.drop_index("ix_event_on_date", table_name="event")
    op.drop_index("ix_case_provisional", table_name="case_file")
    op.drop_index("ix_case_late_acts", table_name="case_file")
    op.drop_index("ix_case_unconfirmed", table_name="case_file")
    op.drop_index("ix_case_concluded_early", table_name="case_file")
    op.create_index("ix_case_concluded_early", "case_file", ["received_on"], unique=False,
                    postgresql_where=EARLY, sqlite_where=EARLY)
