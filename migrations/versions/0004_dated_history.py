"""dated history: desk states, voided served records, holidays, retention date

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('desk_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('desk_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('zero_rent', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['desk_id'], ['desk.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('desk_id', 'effective_on')
    )
    # Each existing desk's history starts with the state it has now.
    op.execute("INSERT INTO desk_state (desk_id, effective_on, status, zero_rent) "
               "SELECT id, in_service_on, status, zero_rent FROM desk")
    op.create_table('holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name_zh', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=50), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day')
    )
    with op.batch_alter_table('served_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=200), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_data_until', sa.Date(), nullable=True))
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant_basis', sa.String(length=16), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('tenant_basis')
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_column('personal_data_until')
    with op.batch_alter_table('served_record', schema=None) as batch_op:
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_at')
    op.drop_table('holiday')
    op.drop_table('desk_state')
