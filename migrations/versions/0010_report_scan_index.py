"""issue 18: the annual report's restricted scan (year's and open cases)

Revision ID: a0b1c2d3e4f5
Revises: 9a2c7e1f4b66
Create Date: 2026-12-05 14:20:00.000000
"""
from alembic import op  # noqa: F401

revision = 'a0b1c2d3e4f5'
down_revision = '9a2c7e1f4b66'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
