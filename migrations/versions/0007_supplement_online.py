"""issue 16: the applicant's own 补正 answer, received online (text kept on the case)

Revision ID: 7c9e5a3b2d44
Revises: 6b8d4f2a1c33
Create Date: 2026-12-04 17:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '7c9e5a3b2d44'
down_revision = '6b8d4f2a1c33'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplement_text', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('supplement_text')
