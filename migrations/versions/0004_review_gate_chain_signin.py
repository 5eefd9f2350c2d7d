"""issue 12: the review gate without gaps — package fingerprints, sign-off rows, gated notices,
hash-chained events; sign-in throttling, receipt codes kept server-side, idempotency bound to
the body

Revision ID: 4f1e2a9c0d12
Revises: 0bc274f9308d
Create Date: 2026-12-04 16:00:00.000000

Existing data is kept as it was approved:
- item versions made before keep their fingerprint (text or bytes only) as ``fingerprint_scheme``
  1; new versions use the package fingerprint (scheme 2);
- notices sent before notices were reviewed stay shown (``released_on`` = their date, no item);
- an office head's 签发 becomes a sign-off row on the letter version current at the upgrade;
- the existing events are linked into the hash chain in id order, and one
  ``integrity_baseline`` event records the fingerprint of every release made so far, so that
  from now on a rewrite of those releases is detected like any other.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from disclosure import dbguards
from disclosure.domain import chain

# revision identifiers, used by Alembic.
revision = '4f1e2a9c0d12'
down_revision = '0bc274f9308d'
branch_labels = None
depends_on = None

EVENT = sa.table(
    'event', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
    sa.column('prev_hash', sa.String), sa.column('hash', sa.String),
    sa.column('case_id', sa.Integer), sa.column('agency_id', sa.Integer),
    sa.column('actor_id', sa.Integer), sa.column('actor_label', sa.String),
    sa.column('action', sa.String), sa.column('before_status', sa.String),
    sa.column('after_status', sa.String), sa.column('on_date', sa.Date),
    sa.column('data', sa.JSON), sa.column('occurred_at', sa.DateTime(timezone=True)))


def _drop_event_guards(conn) -> None:
    if conn.dialect.name == 'postgresql':
        conn.exec_driver_sql('DROP TRIGGER IF EXISTS event_append_only ON event')
    else:
        conn.exec_driver_sql('DROP TRIGGER IF EXISTS event_no_update')
        conn.exec_driver_sql('DROP TRIGGER IF EXISTS event_no_delete')


def _link_events(conn) -> None:
    """R7.2 for the history written before the chain existed, then the baseline event."""
    seq, prev = 0, chain.GENESIS
    rows = conn.execute(sa.select(EVENT).order_by(EVENT.c.id)).mappings().all()
    for row in rows:
        seq += 1
        digest = chain.link(seq, prev, dict(row))
        conn.execute(EVENT.update().where(EVENT.c.id == row['id'])
                     .values(seq=seq, prev_hash=prev, hash=digest))
        prev = digest
    released = [{'item_id': r.item_id, 'version_id': r.version_id, 'sha256': r.sha256}
                for r in conn.execute(sa.text(
                    'SELECT item_id, version_id, sha256 FROM release ORDER BY id'))]
    if released:
        fields = {'case_id': None, 'agency_id': None, 'actor_id': None, 'actor_label': '系统',
                  'action': 'integrity_baseline', 'before_status': None, 'after_status': None,
                  'on_date': None, 'data': {'released': released},
                  'occurred_at': datetime.now(timezone.utc)}
        digest = chain.link(seq + 1, prev, fields)
        conn.execute(EVENT.insert().values(seq=seq + 1, prev_hash=prev, hash=digest, **fields))


def upgrade():
    conn = op.get_bind()
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_address', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_failure_at', ['at'], unique=False)
        batch_op.create_index('ix_login_failure_pair', ['account_key', 'address', 'at'], unique=False)

    op.create_table('receipt_code',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('masked_code', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_receipt_code_case_id_case_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_receipt_code'))
    )
    with op.batch_alter_table('receipt_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipt_code_expires_at'), ['expires_at'], unique=False)

    op.create_table('sign_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_sign_off_signed_by_id_user_account')),
    sa.ForeignKeyConstraint(['version_id', 'sha256'], ['item_version.id', 'item_version.sha256'], name='fk_sign_off_version_sha'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_off')),
    sa.UniqueConstraint('version_id', name='uq_sign_off_version')
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_body_sha256', sa.String(length=64), nullable=True))

    # item versions: the package fingerprint from now on; older versions keep theirs (scheme 1)
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('meta', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('fingerprint_scheme', sa.Integer(), nullable=False,
                                      server_default='1'))
    conn.execute(sa.text('UPDATE item_version SET content_sha256 = sha256 WHERE stored_name IS NOT NULL'))

    # notices: sent before the gate covered them → shown as they were
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('released_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notice_item_id'), ['item_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notice_item_id_release_item'), 'release_item', ['item_id'], ['id'])
    conn.execute(sa.text('UPDATE notice SET released_on = issued_on'))

    # 签发: a row bound to the letter version current now
    signed = conn.execute(sa.text(
        'SELECT r.signed_off_by_id, r.signed_off_at, v.id, v.sha256 FROM case_reply r '
        'JOIN item_version v ON v.item_id = r.letter_item_id '
        'WHERE r.signed_off_by_id IS NOT NULL AND v.number = '
        '(SELECT max(number) FROM item_version w WHERE w.item_id = r.letter_item_id)')).all()
    for by, at, vid, sha in signed:
        conn.execute(sa.text('INSERT INTO sign_off (version_id, sha256, signed_by_id, signed_at) '
                             'VALUES (:v, :s, :b, :a)'), {'v': vid, 's': sha, 'b': by, 'a': at})
    with op.batch_alter_table('case_reply', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_reply_signed_off_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('signed_off_at')
        batch_op.drop_column('signed_off_by_id')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')

    # events: the hash chain (the append-only triggers are lifted for this one rewrite)
    _drop_event_guards(conn)
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    _link_events(conn)
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint('uq_event_seq', ['seq'])
    dbguards.install(conn)


def downgrade():
    conn = op.get_bind()
    _drop_event_guards(conn)
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint('uq_event_seq', type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
    dbguards.install(conn)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('case_reply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_off_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_case_reply_signed_off_by_id_user_account'), 'user_account', ['signed_off_by_id'], ['id'])

    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notice_item_id_release_item'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notice_item_id'))
        batch_op.drop_column('released_on')
        batch_op.drop_column('item_id')

    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.drop_column('fingerprint_scheme')
        batch_op.drop_column('meta')
        batch_op.drop_column('content_sha256')

    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('idempotency_body_sha256')

    op.drop_table('sign_off')
    with op.batch_alter_table('receipt_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipt_code_expires_at'))
    op.drop_table('receipt_code')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_pair')
        batch_op.drop_index('ix_login_failure_at')
        batch_op.drop_index('ix_login_failure_address')
    op.drop_table('login_failure')
