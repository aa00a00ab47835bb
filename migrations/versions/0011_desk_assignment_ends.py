"""desk assignments by their end: the dashboard's S2 occupancy (assignments in force on
a day: ending on or after it, or open) and its warning of assignments ending within
two weeks read this index alone instead of every assignment ever made

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 07:00:00
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_desk_assignment_ends", "desk_assignment",
                    ["ends_on", "starts_on", "desk_id"])


def downgrade():
    op.drop_index("ix_desk_assignment_ends", table_name="desk_assignment")
