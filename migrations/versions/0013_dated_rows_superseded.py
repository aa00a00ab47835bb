"""desk states and licence facts carry the day the next ones take effect: "a desk's
state on a day" (S2) and "a firm's facts in effect on a day" (S4, O1/O2, the
undetermined) are then a range test on each row instead of a probe for a later row
per row (PostgreSQL ran that probe as a subplan per tenant)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


DATED = (("desk_state", "desk_id"), ("licence", "tenant_id"))


def upgrade():
    for table, owner in DATED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("superseded_on", sa.Date(), nullable=True))
        op.execute(f"UPDATE {table} SET superseded_on = ("
                   f"SELECT min(later.effective_on) FROM {table} AS later "
                   f"WHERE later.{owner} = {table}.{owner} "
                   f"AND later.effective_on > {table}.effective_on)")


def downgrade():
    for table, _ in DATED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("superseded_on")
