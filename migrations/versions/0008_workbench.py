"""issue 15: the office's workbench — agency profile, default handler, 文号 per letter

Revision ID: 8d1f6b4c3e55
Revises: 7c9e5a3b2d44
Create Date: 2026-12-05 05:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '8d1f6b4c3e55'
down_revision = '7c9e5a3b2d44'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letter_prefix', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('office_hours', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('website_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('icp_record', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('emblem_stored_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('emblem_content_type', sa.String(length=100),
                                      nullable=True))
        batch_op.add_column(sa.Column('default_handler_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_agency_default_handler', 'user_account',
                                    ['default_handler_id'], ['id'])
    op.create_table(
        'letter_counter',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('agency_id', 'year', 'kind'),
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doc_number', sa.String(length=60), nullable=True))
    with op.batch_alter_table('case_reply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doc_number', sa.String(length=60), nullable=True))
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_doc_number', sa.String(length=60),
                                      nullable=True))
        batch_op.create_index('ix_case_file_handler_id', ['handler_id'])


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_file_handler_id')
        batch_op.drop_column('receipt_doc_number')
    with op.batch_alter_table('case_reply', schema=None) as batch_op:
        batch_op.drop_column('doc_number')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('doc_number')
    op.drop_table('letter_counter')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_constraint('fk_agency_default_handler', type_='foreignkey')
        for col in ('default_handler_id', 'emblem_content_type', 'emblem_stored_name',
                    'icp_record', 'website_code', 'office_hours', 'phone', 'address',
                    'letter_prefix'):
            batch_op.drop_column(col)
