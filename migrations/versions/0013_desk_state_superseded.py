"""desk states carry the day the next one takes effect: "a desk's state on a day" is
then a range test on each row (S2 on the dashboard, the pace and the export) instead
of a probe for a later state per row

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


def upgrade():
    with op.batch_alter_table("desk_state") as batch:
        batch.add_column(sa.Column("superseded_on", sa.Date(), nullable=True))
    op.execute("UPDATE desk_state SET superseded_on = ("
               "SELECT min(later.effective_on) FROM desk_state AS later "
               "WHERE later.desk_id = desk_state.desk_id "
               "AND later.effective_on > desk_state.effective_on)")


def downgrade():
    with op.batch_alter_table("desk_state") as batch:
        batch.drop_column("superseded_on")
