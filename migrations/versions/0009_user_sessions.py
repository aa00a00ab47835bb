"""user sessions: a token in every login cookie (so logging out, a new password or
a new role ends the user's other sessions) and the must-change-password mark an
admin's password reset sets

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:30:00
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(),
                                      nullable=False, server_default=sa.false()))
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(user.c.id)).all():
        conn.execute(user.update().where(user.c.id == user_id)
                     .values(session_token=secrets.token_hex(16)))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32),
                              nullable=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_token')
