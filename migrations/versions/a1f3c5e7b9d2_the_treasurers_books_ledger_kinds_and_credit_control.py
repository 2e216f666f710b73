"""the treasurer's books: new ledger kinds, credit control and large-amount settings

Revision ID: a1f3c5e7b9d2
Revises: f6c2d8e0b4a5
Create Date: 2026-12-03 13:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1f3c5e7b9d2'
down_revision = 'f6c2d8e0b4a5'
branch_labels = None
depends_on = None

OLD_ACCOUNT_KINDS = ('household', 'fund', 'supplier', 'card', 'cash', 'bank', 'council_support')
NEW_ACCOUNT_KINDS = OLD_ACCOUNT_KINDS + ('opening_balance',)
OLD_TRANSACTION_KINDS = ('settlement', 'payment', 'refund', 'supplier_payment', 'adjustment', 'reversal')
NEW_TRANSACTION_KINDS = OLD_TRANSACTION_KINDS + (
    'fund_income', 'fund_expense', 'opening_balance', 'write_off', 'stock_sale',
)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _kinds(table, constraint, values):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(constraint), type_='check')
        batch_op.create_check_constraint(batch_op.f(constraint), _in('kind', values))


def upgrade():
    _kinds('accounts', 'ck_accounts_account_kind', NEW_ACCOUNT_KINDS)
    _kinds('ledger_transactions', 'ck_ledger_transactions_transaction_kind', NEW_TRANSACTION_KINDS)
    with op.batch_alter_table('coops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_limit_pence', sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column('credit_limit_needs_approval', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column('large_amount_pence', sa.BigInteger(), server_default='50000', nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_coops_credit_limit_not_negative'),
            'credit_limit_pence IS NULL OR credit_limit_pence >= 0',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_coops_large_amount_positive'), 'large_amount_pence >= 100'
        )


def downgrade():
    with op.batch_alter_table('coops', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_coops_large_amount_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coops_credit_limit_not_negative'), type_='check')
        batch_op.drop_column('large_amount_pence')
        batch_op.drop_column('credit_limit_needs_approval')
        batch_op.drop_column('credit_limit_pence')
    _kinds('ledger_transactions', 'ck_ledger_transactions_transaction_kind', OLD_TRANSACTION_KINDS)
    _kinds('accounts', 'ck_accounts_account_kind', OLD_ACCOUNT_KINDS)
