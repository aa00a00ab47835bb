"""provisional room holds: a draft event's room reservation holds the room as
"provisional" until the event is published, so it is not counted as a booking
granted (nor its hours as used) before anyone decided to hold the event

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 03:50:00
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

HOLDING = "('pending', 'confirmed', 'provisional')"


def _no_overlap(statuses):
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE booking DROP CONSTRAINT booking_no_overlap")
        op.execute(
            "ALTER TABLE booking ADD CONSTRAINT booking_no_overlap "
            "EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            f"WHERE (status IN {statuses})")


def upgrade():
    _no_overlap(HOLDING)
    # Draft events' holds still to come become provisional. Holds already begun stay
    # as they were: a figure for a past period is never changed by an upgrade.
    op.execute(
        "UPDATE booking SET status = 'provisional' WHERE status = 'confirmed' "
        "AND source = 'event' AND starts_at > CURRENT_TIMESTAMP "
        "AND id IN (SELECT booking_id FROM event WHERE status = 'draft' "
        "AND booking_id IS NOT NULL)")


def downgrade():
    op.execute("UPDATE booking SET status = 'confirmed' WHERE status = 'provisional'")
    _no_overlap("('pending', 'confirmed')")
