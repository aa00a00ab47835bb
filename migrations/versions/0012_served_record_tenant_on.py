"""served records by firm and day, the voided left out: S4's question "was this firm
served in the window?" (asked of every firm by the dashboard, the firms sheet and the
pace's months) reads the firm's entries for the window alone instead of every service
the firm ever had

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_served_record_tenant_on", "served_record", ["tenant_id", "served_on"],
                    sqlite_where=sa.text("voided_at IS NULL"),
                    postgresql_where=sa.text("voided_at IS NULL"))


def downgrade():
    op.drop_index("ix_served_record_tenant_on", table_name="served_record")
