"""issue 13: the honest clock — delivery (送达) of notices, a new 补正 period for a good reason,
the days extensions and deferrals were decided (late acts, rules.md R8)

Revision ID: 5a7c3e1b9f20
Revises: 4f1e2a9c0d12
Create Date: 2026-12-04 16:30:00.000000

Existing cases keep their meaning: a notice recorded before delivery dates were is taken as
delivered the day it was issued (``*_undelivered`` false, no date); extensions and deferrals
without a recorded day count as on time.
"""
import sqlalchemy as sa
from alembic import op

revision = '5a7c3e1b9f20'
down_revision = '4f1e2a9c0d12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplement_delivered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('supplement_undelivered', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('supplement_new_period_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('supplement_new_period_workdays', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fee_delivered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('fee_undelivered', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('extension_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deferred_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('late_acts', sa.String(length=120), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_method', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('delivered_on', sa.Date(), nullable=True))
    conn = op.get_bind()
    # the days extensions were approved are on their requests
    conn.execute(sa.text(
        "UPDATE case_file SET extension_on = (SELECT max(decided_on) FROM extension_request e "
        "WHERE e.case_id = case_file.id AND e.decision = 'approved') WHERE extension_workdays > 0"))


def downgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('delivered_on')
        batch_op.drop_column('delivery_method')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        for name in ('late_acts', 'deferred_on', 'extension_on', 'fee_undelivered', 'fee_delivered_on',
                     'supplement_new_period_workdays', 'supplement_new_period_on',
                     'supplement_undelivered', 'supplement_delivered_on'):
            batch_op.drop_column(name)
