"""payouts posted card to bank: each payout's ledger transfer and its reversal

Revision ID: a9d3f5b7c1e4
Revises: c56587b9854d
Create Date: 2026-12-06 22:00:00.000000

`stripe_payouts.transaction_id` is the `transfer` that moved a paid payout
from the co-op's card account to its bank, `reversal_id` the reversal of it
when the payout failed afterwards; both unique, so each is posted once.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a9d3f5b7c1e4"
down_revision = "c56587b9854d"
branch_labels = None
depends_on = None

COLUMNS = ("transaction_id", "reversal_id")


def upgrade():
    with op.batch_alter_table("stripe_payouts", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f"uq_stripe_payouts_{column}"), [column])
            batch_op.create_foreign_key(
                batch_op.f(f"fk_stripe_payouts_{column}_ledger_transactions"),
                "ledger_transactions",
                [column],
                ["id"],
            )


def downgrade():
    with op.batch_alter_table("stripe_payouts", schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_constraint(
                batch_op.f(f"fk_stripe_payouts_{column}_ledger_transactions"), type_="foreignkey"
            )
            batch_op.drop_constraint(batch_op.f(f"uq_stripe_payouts_{column}"), type_="unique")
            batch_op.drop_column(column)
