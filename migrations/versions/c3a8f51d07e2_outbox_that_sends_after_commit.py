"""outbox that sends after commit

Revision ID: c3a8f51d07e2
Revises: b7d41e2a9c30
Create Date: 2026-12-02 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a8f51d07e2'
down_revision = 'b7d41e2a9c30'
branch_labels = None
depends_on = None

OLD = "status IN ('stored', 'failed')"
NEW = "status IN ('stored', 'queued', 'sending', 'sent', 'failed')"


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_outbox_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=6), type_=sa.String(length=7), existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_outbox_messages_outbox_status'), NEW)
        batch_op.add_column(sa.Column('raw', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('handed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reply', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade():
    op.execute("UPDATE outbox_messages SET status = 'failed' WHERE status NOT IN ('stored', 'failed')")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_next_attempt_at'))
        batch_op.drop_column('reply')
        batch_op.drop_column('sent_at')
        batch_op.drop_column('handed_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('raw')
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_outbox_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=7), type_=sa.String(length=6), existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_outbox_messages_outbox_status'), OLD)
