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


def upgrade():
    pass


def downgrade():
    pass
