"""dated history: desk states, voided served records, holidays, retention date

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:10:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from community.dbsetup import UTCDateTime


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
    _void_what_did_not_happen()


# Records the old rules made that the new ones would not have: each is voided (kept,
# with why) and audited, never deleted.
NOT_CHECKED_IN = ("booking", "预约未签到或未发生（升级时按新规则作废）", """
    SELECT id FROM served_record WHERE source = 'booking' AND voided_at IS NULL
    AND ref NOT IN (SELECT CAST(id AS VARCHAR(64)) FROM booking
                    WHERE status = 'confirmed' AND checked_in_at IS NOT NULL)""")
EVENT_CANCELLED = ("events", "活动已取消（升级时按新规则作废）", """
    SELECT served_record.id FROM served_record JOIN event
      ON served_record.ref = 'event:' || CAST(event.id AS VARCHAR(20)) || ':tenant:'
         || CAST(served_record.tenant_id AS VARCHAR(20))
    WHERE served_record.source = 'events' AND served_record.voided_at IS NULL
      AND event.status = 'cancelled'""")
NOT_KNOWN_MEMBER = ("events", "参会人与企业的关联未经确认（升级时按新规则作废）", """
    SELECT id FROM served_record WHERE source = 'events' AND voided_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM registration r
                    WHERE r.tenant_id = served_record.tenant_id
                      AND r.checked_in_at IS NOT NULL
                      AND served_record.ref = 'event:' || CAST(r.event_id AS VARCHAR(20))
                          || ':tenant:' || CAST(r.tenant_id AS VARCHAR(20)))""")


def _void_what_did_not_happen():
    """Bookings count once checked in; event attendance only for attendees known to
    belong to the firm (a member's registered mobile) and events that were held."""
    conn = op.get_bind()
    # A link made by the typed organisation alone is kept only where the mobile is a
    # registered member's of that firm; the others are undone.
    conn.execute(sa.text("""
        UPDATE registration SET tenant_basis = 'member'
        WHERE tenant_id IS NOT NULL AND tenant_basis = '' AND EXISTS (
            SELECT 1 FROM member m WHERE m.tenant_id = registration.tenant_id
            AND m.phone = registration.mobile AND m.phone != '')"""))
    conn.execute(sa.text("""
        UPDATE registration SET tenant_id = NULL
        WHERE tenant_id IS NOT NULL AND tenant_basis = ''"""))
    now = datetime.now(timezone.utc)
    audit = sa.table("audit_entry", sa.column("at", UTCDateTime), sa.column("action"),
                     sa.column("object_type"), sa.column("object_id"),
                     sa.column("after", sa.JSON), sa.column("note"))
    served = sa.table("served_record", sa.column("id"), sa.column("voided_at", UTCDateTime),
                      sa.column("void_reason"))
    for _source, reason, query in (NOT_CHECKED_IN, EVENT_CANCELLED, NOT_KNOWN_MEMBER):
        ids = [row[0] for row in conn.execute(sa.text(query))]
        for start in range(0, len(ids), 500):
            batch = ids[start:start + 500]
            conn.execute(served.update().where(served.c.id.in_(batch))
                         .values(voided_at=now, void_reason=reason))
            conn.execute(audit.insert(), [
                {"at": now, "action": "served_record.voided", "object_type": "served_record",
                 "object_id": i, "after": {"void_reason": reason}, "note": "数据库升级"}
                for i in batch])


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
