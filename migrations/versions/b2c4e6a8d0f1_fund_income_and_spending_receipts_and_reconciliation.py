"""fund income and spending, receipts and reconciliation

Revision ID: b2c4e6a8d0f1
Revises: a1f3c5e7b9d2
Create Date: 2026-12-03 13:15:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b2c4e6a8d0f1'
down_revision = 'a1f3c5e7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fund_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('direction', sa.Enum('income', 'expense', name='fund_direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_fund_categories_name_not_empty')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_fund_categories_coop_id_coops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_categories')),
    sa.UniqueConstraint('coop_id', 'direction', 'name', name=op.f('uq_fund_categories_coop_id_direction_name')),
    sa.UniqueConstraint('coop_id', 'key', name=op.f('uq_fund_categories_coop_id_key'))
    )
    with op.batch_alter_table('fund_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_categories_coop_id'), ['coop_id'], unique=False)

    op.create_table('receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("content_type IN ('application/pdf', 'image/png', 'image/jpeg', 'image/webp')", name=op.f('ck_receipts_content_type_known')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_receipts_sha256_hex')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_receipts_size_positive')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_receipts_coop_id_coops')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_receipts_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts'))
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipts_coop_id'), ['coop_id'], unique=False)

    op.create_table('reconciliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('account', sa.Enum('cash', 'bank', name='held_in', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('statement_balance_pence', sa.BigInteger(), nullable=False),
    sa.Column('ledger_balance_pence', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_reconciliations_coop_id_coops')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reconciliations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliations'))
    )
    with op.batch_alter_table('reconciliations', schema=None) as batch_op:
        batch_op.create_index('ix_reconciliations_coop_id_account_as_of', ['coop_id', 'account', 'as_of'], unique=False)

    op.create_table('fund_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.Enum('income', 'expense', name='fund_direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('method', sa.Enum('cash', 'bank', name='held_in', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_fund_entries_amount_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['fund_categories.id'], name=op.f('fk_fund_entries_category_id_fund_categories')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_fund_entries_coop_id_coops')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fund_entries_created_by_id_users')),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'], name=op.f('fk_fund_entries_receipt_id_receipts')),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transactions.id'], name=op.f('fk_fund_entries_transaction_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_entries')),
    sa.UniqueConstraint('transaction_id', name=op.f('uq_fund_entries_transaction_id'))
    )
    with op.batch_alter_table('fund_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_entries_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_fund_entries_coop_id_occurred_on', ['coop_id', 'occurred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_entries_receipt_id'), ['receipt_id'], unique=False)

    op.create_table('reconciled_postings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reconciliation_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_reconciled_postings_posting_id_postings')),
    sa.ForeignKeyConstraint(['reconciliation_id'], ['reconciliations.id'], name=op.f('fk_reconciled_postings_reconciliation_id_reconciliations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciled_postings')),
    sa.UniqueConstraint('posting_id', name=op.f('uq_reconciled_postings_posting_id'))
    )
    with op.batch_alter_table('reconciled_postings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconciled_postings_reconciliation_id'), ['reconciliation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reconciled_postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconciled_postings_reconciliation_id'))

    op.drop_table('reconciled_postings')
    with op.batch_alter_table('fund_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_entries_receipt_id'))
        batch_op.drop_index('ix_fund_entries_coop_id_occurred_on')
        batch_op.drop_index(batch_op.f('ix_fund_entries_category_id'))

    op.drop_table('fund_entries')
    with op.batch_alter_table('reconciliations', schema=None) as batch_op:
        batch_op.drop_index('ix_reconciliations_coop_id_account_as_of')

    op.drop_table('reconciliations')
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipts_coop_id'))

    op.drop_table('receipts')
    with op.batch_alter_table('fund_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_categories_coop_id'))

    op.drop_table('fund_categories')
