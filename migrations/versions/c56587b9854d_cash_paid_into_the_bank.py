"""cash paid into the bank: a ledger kind for money moved between cash and bank

Revision ID: c56587b9854d
Revises: f7b9d1e3a5c6
Create Date: 2026-12-06 21:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c56587b9854d"
down_revision = "f7b9d1e3a5c6"
branch_labels = None
depends_on = None

OLD_TRANSACTION_KINDS = (
    "settlement",
    "payment",
    "refund",
    "supplier_payment",
    "adjustment",
    "reversal",
    "fund_income",
    "fund_expense",
    "opening_balance",
    "write_off",
    "stock_sale",
)
NEW_TRANSACTION_KINDS = OLD_TRANSACTION_KINDS + ("transfer",)


def _kinds(values):
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_ledger_transactions_transaction_kind"), type_="check"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_ledger_transactions_transaction_kind"),
            f"kind IN ({', '.join(repr(value) for value in values)})",
        )


def upgrade():
    _kinds(NEW_TRANSACTION_KINDS)


def downgrade():
    # Refused by the constraint while any transfer is in the ledger, which is never edited.
    _kinds(OLD_TRANSACTION_KINDS)
