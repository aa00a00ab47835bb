"""services: providers and agreements, the service catalogue (its built-in
entries seeded), requests, quotas and grants, bills, financing, amenities

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:30:00

The built-in catalogue is written out here as it was on this day (services.catalogue
ensures it again at start-up of any later code, so this copy never has to change).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BUILTIN = (
    ("registration", "package", "经营主体登记注册", "times", 10, 1),
    ("bookkeeping", "package", "财务代账", "times", 5, 2),
    ("tax", "package", "税务申报", "times", 5, 3),
    ("legal", "package", "法律咨询", "times", 3, 4),
    ("adaptation", "package", "适配验证", "times", 20, 5),
    ("patent", "package", "专利申报", "times", 30, 6),
    ("pilot", "referral", "中试平台对接", "times", 15, 10),
    ("poc", "referral", "概念验证中心对接", "times", 15, 11),
    ("compute", "professional", "算力补贴", "gpu_hours", 3, 20),
    ("tokens", "professional", "词元补贴", "wan_tokens", 3, 21),
    ("data", "professional", "数据资源", "times", 5, 22),
    ("model", "professional", "模型服务", "times", 5, 23),
    ("devtools", "professional", "开发工具", "times", 5, 24),
    ("consulting", "other", "综合咨询指导", "times", 3, 30),
)


def upgrade():
    op.create_table('amenity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('distance_m', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('listed_on', sa.Date(), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('qualifications', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('contact_email', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('resident', sa.Boolean(), nullable=False),
    sa.Column('resident_since', sa.Date(), nullable=True),
    sa.Column('resident_until', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('resident_since IS NULL OR resident_until IS NULL OR resident_until >= resident_since', name='provider_residency'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('uscc')
    )
    op.create_table('service_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=True),
    sa.Column('section', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('free', sa.Boolean(), nullable=False),
    sa.Column('target_days', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('name')
    )
    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name='agreement_dates'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_provider_id'), ['provider_id'], unique=False)

    op.create_table('finance_product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('scale_wan', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('formation', sa.String(length=10), nullable=False),
    sa.Column('partners', sa.String(length=300), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('provider_category',
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['service_category.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('provider_id', 'category_id')
    )
    op.create_table('quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['service_category.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'year', 'category_id')
    )
    op.create_table('bill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('financing_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('amount_wan', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('financing_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financing_need_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('service_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('value_fen', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.String(length=500), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=False),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name='service_request_rating'),
    sa.ForeignKeyConstraint(['category_id'], ['service_category.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.create_index('ix_service_request_status', ['status', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_request_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('match_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('met_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('amount_wan', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['need_id'], ['financing_need.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('match_meeting', schema=None) as batch_op:
        batch_op.create_index('ix_match_meeting_met_on', ['met_on'], unique=False)

    op.create_table('subsidy_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('value_fen', sa.Integer(), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['service_category.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id')
    )
    with op.batch_alter_table('subsidy_grant', schema=None) as batch_op:
        batch_op.create_index('ix_grant_granted_on', ['granted_on'], unique=False)
        batch_op.create_index('ix_grant_quota', ['tenant_id', 'category_id', 'granted_on'], unique=False)

    op.create_table('bill_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('billed_on', sa.Date(), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('value_fen', sa.Integer(), nullable=True),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grant_id'], ['subsidy_grant.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bill_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bill_line_bill_id'), ['bill_id'], unique=False)

    category = sa.table('service_category', *(sa.column(name) for name in (
        'code', 'section', 'name', 'unit', 'free', 'target_days', 'description', 'active',
        'position')))
    op.bulk_insert(category, [
        {'code': code, 'section': section, 'name': name, 'unit': unit, 'free': True,
         'target_days': days, 'description': '', 'active': True, 'position': position}
        for code, section, name, unit, days, position in BUILTIN])



def downgrade():
    with op.batch_alter_table('bill_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bill_line_bill_id'))

    op.drop_table('bill_line')
    with op.batch_alter_table('subsidy_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_grant_quota')
        batch_op.drop_index('ix_grant_granted_on')

    op.drop_table('subsidy_grant')
    with op.batch_alter_table('match_meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_match_meeting_met_on')

    op.drop_table('match_meeting')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_request_tenant_id'))
        batch_op.drop_index('ix_service_request_status')

    op.drop_table('service_request')
    with op.batch_alter_table('financing_need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_financing_need_tenant_id'))

    op.drop_table('financing_need')
    op.drop_table('bill')
    op.drop_table('quota')
    op.drop_table('provider_category')
    op.drop_table('finance_product')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_provider_id'))

    op.drop_table('agreement')
    op.drop_table('service_category')
    op.drop_table('provider')
    op.drop_table('amenity')
