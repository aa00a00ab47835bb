"""scenarios: the pipeline (scenarios, their stages, matches, founders' interest),
the sourcing work, the matcher's cached profile words; a tenant's profile (企业简介)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('profile_words',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    op.create_table('sourcing_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('staff', sa.String(length=200), nullable=False),
    sa.Column('counterpart', sa.String(length=300), nullable=False),
    sa.Column('district', sa.String(length=50), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('owner_name', sa.String(length=200), nullable=False),
    sa.Column('owner_type', sa.String(length=20), nullable=False),
    sa.Column('owner_uscc', sa.String(length=18), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('joint_with_district', sa.Boolean(), nullable=False),
    sa.Column('district', sa.String(length=50), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('budget_fen', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_reason', sa.String(length=300), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('discovered_on', sa.Date(), nullable=False),
    sa.Column('landed_on', sa.Date(), nullable=True),
    sa.Column('contract_value_fen', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['sourcing_activity.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['scenario.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.create_index('ix_scenario_discovered_on', ['discovered_on'], unique=False)
        batch_op.create_index('ix_scenario_landed_on', ['landed_on'], unique=False)
        batch_op.create_index('ix_scenario_stage', ['stage'], unique=False)

    op.create_table('scenario_interest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scenario_id', 'tenant_id')
    )
    op.create_table('scenario_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('matched_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdraw_reason', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scenario_id', 'tenant_id')
    )
    with op.batch_alter_table('scenario_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenario_match_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('scenario_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('entered_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('scenario_stage', schema=None) as batch_op:
        batch_op.create_index('ix_scenario_stage_scenario', ['scenario_id', 'stage'], unique=False)

    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile', sa.Text(), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('profile')

    with op.batch_alter_table('scenario_stage', schema=None) as batch_op:
        batch_op.drop_index('ix_scenario_stage_scenario')

    op.drop_table('scenario_stage')
    with op.batch_alter_table('scenario_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenario_match_tenant_id'))

    op.drop_table('scenario_match')
    op.drop_table('scenario_interest')
    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.drop_index('ix_scenario_stage')
        batch_op.drop_index('ix_scenario_landed_on')
        batch_op.drop_index('ix_scenario_discovered_on')

    op.drop_table('scenario')
    op.drop_table('sourcing_activity')
    op.drop_table('profile_words')
