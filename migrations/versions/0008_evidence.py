"""evidence: the audit trail's hash chain (sealing the trail written so far), period
locks, assessors' granted periods, report packs, withdrawn evidence files, the
operator's own record (附件2 基本情况) and its milestones (任务计划)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:07:59
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

import community.dbsetup
from community import chain

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('head', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('promise', sa.Text(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('due_on')
    )
    op.create_table('assessor_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', community.dbsetup.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', community.dbsetup.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessor_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessor_grant_user_id'), ['user_id'], unique=False)

    op.create_table('period_lock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('locked_by_id', sa.Integer(), nullable=True),
    sa.Column('locked_at', community.dbsetup.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['locked_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('report_pack',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', community.dbsetup.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', community.dbsetup.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', community.dbsetup.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.String(length=300), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_attachment_replaced_by', 'attachment', ['replaced_by_id'], ['id'])
        batch_op.create_foreign_key('fk_attachment_withdrawn_by', 'user', ['withdrawn_by_id'], ['id'])

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lock_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entry_lock_id'), ['lock_id'], unique=False)
        batch_op.create_unique_constraint('uq_audit_entry_seq', ['seq'])
        batch_op.create_foreign_key('fk_audit_entry_lock', 'period_lock', ['lock_id'], ['id'])

    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.add_column(sa.Column('founded_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('registered_capital', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('leader', sa.String(length=100), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('leader_phone', sa.String(length=20), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('contact', sa.String(length=100), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=20), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('operator_nature', sa.String(length=20), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('operator_nature_other', sa.String(length=100), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('focus', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('intro', sa.Text(), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('tenure_kind', sa.String(length=12), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('tenure_starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('tenure_ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('report_texts', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))

    # The trail written before the chain: sealed in id order, the head row made.
    session = Session(bind=op.get_bind())
    chain.backfill(session)
    session.flush()


def downgrade():
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_column('report_texts')
        batch_op.drop_column('tenure_ends_on')
        batch_op.drop_column('tenure_starts_on')
        batch_op.drop_column('tenure_kind')
        batch_op.drop_column('intro')
        batch_op.drop_column('focus')
        batch_op.drop_column('operator_nature_other')
        batch_op.drop_column('operator_nature')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact')
        batch_op.drop_column('leader_phone')
        batch_op.drop_column('leader')
        batch_op.drop_column('registered_capital')
        batch_op.drop_column('founded_on')

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_entry_lock', type_='foreignkey')
        batch_op.drop_constraint('uq_audit_entry_seq', type_='unique')
        batch_op.drop_index(batch_op.f('ix_audit_entry_lock_id'))
        batch_op.drop_column('lock_id')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_attachment_withdrawn_by', type_='foreignkey')
        batch_op.drop_constraint('fk_attachment_replaced_by', type_='foreignkey')
        batch_op.drop_column('replaced_by_id')
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')

    op.drop_table('report_pack')
    op.drop_table('period_lock')
    with op.batch_alter_table('assessor_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessor_grant_user_id'))

    op.drop_table('assessor_grant')
    op.drop_table('milestone')
    op.drop_table('audit_chain')
