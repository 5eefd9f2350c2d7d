"""issue 17: the county platform — agency tree and 指南, forwarding, 督办, staff reminder
preferences, the full-text search table

Revision ID: 9a2c7e1f4b66
Revises: 8d1f6b4c3e55
Create Date: 2026-12-05 09:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

from disclosure import search_ddl

revision = '9a2c7e1f4b66'
down_revision = '8d1f6b4c3e55'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('guide_text', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_agency_parent', 'agency', ['parent_id'], ['id'])
        batch_op.create_index('ix_agency_parent_id', ['parent_id'])
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobile', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('digest_opt_out', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('digest_opt_out', server_default=None)
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forwarded_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('forwarded_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key('fk_case_forwarded_from', 'agency',
                                    ['forwarded_from_id'], ['id'])
    op.create_table(
        'supervision_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('supervisor_agency_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('reply_by', sa.Date(), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reply_text', sa.Text(), nullable=True),
        sa.Column('replied_on', sa.Date(), nullable=True),
        sa.Column('replied_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['replied_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['supervisor_agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_supervision_agency', 'supervision_notice', ['agency_id', 'issued_on'])
    op.create_index('ix_supervision_notice_supervisor_agency_id', 'supervision_notice',
                    ['supervisor_agency_id'])
    op.create_table(
        'supervision_case',
        sa.Column('supervision_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id']),
        sa.ForeignKeyConstraint(['supervision_id'], ['supervision_notice.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('supervision_id', 'case_id'),
    )
    op.create_index('ix_supervision_case_case_id', 'supervision_case', ['case_id'])
    op.create_table(
        'search_doc',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=1000), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('published_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'ref_id', name='uq_search_doc_ref'),
    )
    op.create_index('ix_search_doc_agency', 'search_doc', ['agency_id', 'kind'])
    search_ddl.install(op.get_bind())


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_doc')
    op.drop_table('supervision_case')
    op.drop_table('supervision_notice')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_constraint('fk_case_forwarded_from', type_='foreignkey')
        batch_op.drop_column('forwarded_on')
        batch_op.drop_column('forwarded_from_id')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('digest_opt_out')
        batch_op.drop_column('mobile')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index('ix_agency_parent_id')
        batch_op.drop_constraint('fk_agency_parent', type_='foreignkey')
        batch_op.drop_column('guide_text')
        batch_op.drop_column('parent_id')
