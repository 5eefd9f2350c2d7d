"""issue 18: the deadline sweep's candidate queries

Revision ID: c2d3e4f5a6b7
Revises: b1c2d3e4f5a6
Create Date: 2026-12-05 14:20:00.000000
"""
from alembic import op  # noqa: F401

revision = 'c2d3e4f5a6b7'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
