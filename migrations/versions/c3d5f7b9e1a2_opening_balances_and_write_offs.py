"""opening balances and write-offs

Revision ID: c3d5f7b9e1a2
Revises: b2c4e6a8d0f1
Create Date: 2026-12-03 13:15:00.000000

A write-off needs no table of its own: it is a ledger transaction of kind
write_off whose memo carries the reason.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3d5f7b9e1a2'
down_revision = 'b2c4e6a8d0f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opening_balances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('in_force_coop_id', sa.Integer(), nullable=True),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('reversed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('in_force_coop_id IS NULL OR in_force_coop_id = coop_id', name=op.f('ck_opening_balances_in_force_is_own_coop')),
    sa.CheckConstraint('(in_force_coop_id IS NULL) = (reversed_at IS NOT NULL)', name=op.f('ck_opening_balances_reversed_is_not_in_force')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_opening_balances_coop_id_coops')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_opening_balances_created_by_id_users')),
    sa.ForeignKeyConstraint(['in_force_coop_id'], ['coops.id'], name=op.f('fk_opening_balances_in_force_coop_id_coops')),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transactions.id'], name=op.f('fk_opening_balances_transaction_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_balances')),
    sa.UniqueConstraint('in_force_coop_id', name=op.f('uq_opening_balances_in_force_coop_id')),
    sa.UniqueConstraint('transaction_id', name=op.f('uq_opening_balances_transaction_id'))
    )
    with op.batch_alter_table('opening_balances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_balances_coop_id'), ['coop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('opening_balances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opening_balances_coop_id'))
    op.drop_table('opening_balances')
