"""issue 13: calendar years known only by a recorded State Council notice (R1.2); assistance
recorded on a case (条例第四十三条)

Revision ID: 6b8d4f2a1c33
Revises: 5a7c3e1b9f20
Create Date: 2026-12-04 17:00:00.000000

Years entered before as override days stay *partial* (provisional) until an administrator
records their notice with its number and date: that is the point of R1.2.
"""
import sqlalchemy as sa
from alembic import op

revision = '6b8d4f2a1c33'
down_revision = '5a7c3e1b9f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('notice_number', sa.String(length=100), nullable=False),
    sa.Column('notice_date', sa.Date(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_calendar_year_entered_by_id_user_account')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year'))
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assistance', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('assistance')
    op.drop_table('calendar_year')
