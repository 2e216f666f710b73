"""credit approvals and the co-op's stock

Revision ID: d4e6a8c0f2b3
Revises: c3d5f7b9e1a2
Create Date: 2026-12-03 13:15:00.000000

`credit_approvals`: a household's request to order past the credit limit in
one round, and the treasurer's approval. `stock_movements`: units of a round
item's surplus sold, offered in a later round, given away or spoiled.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e6a8c0f2b3'
down_revision = 'c3d5f7b9e1a2'
branch_labels = None
depends_on = None

KINDS = ('sold', 'offered', 'given_away', 'spoiled')


def upgrade():
    op.create_table('credit_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_credit_approvals_approved_by_id_users')),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_credit_approvals_membership_id_memberships')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_credit_approvals_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_approvals')),
    sa.UniqueConstraint('membership_id', 'round_id', name=op.f('uq_credit_approvals_membership_id_round_id'))
    )
    with op.batch_alter_table('credit_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_approvals_round_id'), ['round_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('round_item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='stock_movement_kind', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('unit_cost_pence', sa.Integer(), nullable=False),
    sa.Column('unit_price_pence', sa.Integer(), nullable=True),
    sa.Column('membership_id', sa.Integer(), nullable=True),
    sa.Column('target_round_item_id', sa.Integer(), nullable=True),
    sa.Column('transaction_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('units > 0', name=op.f('ck_stock_movements_units_positive')),
    sa.CheckConstraint('unit_cost_pence >= 0', name=op.f('ck_stock_movements_unit_cost_not_negative')),
    sa.CheckConstraint('unit_price_pence IS NULL OR unit_price_pence >= 0', name=op.f('ck_stock_movements_unit_price_not_negative')),
    sa.CheckConstraint("(kind = 'sold') = (membership_id IS NOT NULL)", name=op.f('ck_stock_movements_sale_names_household')),
    sa.CheckConstraint("(kind = 'sold') = (unit_price_pence IS NOT NULL)", name=op.f('ck_stock_movements_sale_has_price')),
    sa.CheckConstraint("kind <> 'sold' OR transaction_id IS NOT NULL", name=op.f('ck_stock_movements_sale_is_posted')),
    sa.CheckConstraint("(kind = 'offered') = (target_round_item_id IS NOT NULL)", name=op.f('ck_stock_movements_offer_names_item')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_stock_movements_coop_id_coops')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_stock_movements_created_by_id_users')),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_stock_movements_membership_id_memberships')),
    sa.ForeignKeyConstraint(['round_item_id'], ['round_items.id'], name=op.f('fk_stock_movements_round_item_id_round_items')),
    sa.ForeignKeyConstraint(['target_round_item_id'], ['round_items.id'], name=op.f('fk_stock_movements_target_round_item_id_round_items')),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transactions.id'], name=op.f('fk_stock_movements_transaction_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movements_coop_id'), ['coop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_membership_id'), ['membership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_round_item_id'), ['round_item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movements_round_item_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_membership_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_coop_id'))
    op.drop_table('stock_movements')
    with op.batch_alter_table('credit_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_approvals_round_id'))
    op.drop_table('credit_approvals')
