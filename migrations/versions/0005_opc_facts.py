"""OPC status from the business licence: dated licence facts, the rule in settings

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:00:00

The old tenant.is_opc box (which defaulted to yes) goes: every firm is "not yet
determined" until its licence facts are entered.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('licence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('company_type', sa.String(length=60), nullable=False),
    sa.Column('registered_capital', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('investors', sa.Integer(), nullable=True),
    sa.Column('opc_override', sa.Boolean(), nullable=True),
    sa.Column('override_reason', sa.String(length=300), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'effective_on')
    )
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opc_company_types', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('startup_years', sa.Integer(), nullable=False,
                                      server_default='5'))
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('is_opc')


def downgrade():
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_opc', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_column('startup_years')
        batch_op.drop_column('opc_company_types')
    op.drop_table('licence')
